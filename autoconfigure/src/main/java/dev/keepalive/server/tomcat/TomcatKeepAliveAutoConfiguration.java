package dev.keepalive.server.tomcat;

import dev.keepalive.autoconfigure.KeepAliveServerAutoConfiguration;
import dev.keepalive.server.ServerConnections;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http11.Http11NioProtocol;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Applies Keepalive to the embedded Tomcat server.
 */
@AutoConfiguration(after = KeepAliveServerAutoConfiguration.class)
@ConditionalOnClass({ Tomcat.class, Http11NioProtocol.class, TomcatWebServerFactory.class })
@ConditionalOnBean(ServerConnections.class)
public final class TomcatKeepAliveAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TomcatKeepAliveCustomizer tomcatKeepAliveCustomizer(ServerConnections serverConnections, Environment environment) {
		return new TomcatKeepAliveCustomizer(serverConnections, environment);
	}

}
