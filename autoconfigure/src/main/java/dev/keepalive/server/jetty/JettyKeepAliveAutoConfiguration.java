package dev.keepalive.server.jetty;

import dev.keepalive.autoconfigure.KeepAliveServerAutoConfiguration;
import dev.keepalive.server.ServerConnections;
import org.eclipse.jetty.server.Server;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.jetty.JettyWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Applies Keepalive to the embedded Jetty server.
 */
@AutoConfiguration(after = KeepAliveServerAutoConfiguration.class)
@ConditionalOnClass({ Server.class, JettyWebServerFactory.class })
@ConditionalOnBean(ServerConnections.class)
public final class JettyKeepAliveAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	JettyKeepAliveCustomizer jettyKeepAliveCustomizer(ServerConnections serverConnections, Environment environment) {
		return new JettyKeepAliveCustomizer(serverConnections, environment);
	}

}
