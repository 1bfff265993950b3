package dev.keepalive.autoconfigure;

import dev.keepalive.server.ConnectionPolicy;
import dev.keepalive.server.ServerConnections;
import dev.keepalive.server.ServerKeepAliveSettings;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * The server-side model every server implementation (for example
 * {@code dev.keepalive.server.tomcat}) applies: settings, policy and the registry of
 * connectors, in a servlet application on an embedded server Keepalive supports.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "keepalive.enabled", matchIfMissing = true)
@ConditionalOnWebApplication(type = Type.SERVLET)
@Conditional(OnSupportedServerCondition.class)
@EnableConfigurationProperties(KeepAliveProperties.class)
public final class KeepAliveServerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ServerKeepAliveSettings serverKeepAliveSettings(KeepAliveProperties properties) {
		KeepAliveProperties.Server server = properties.getServer();
		return new ServerKeepAliveSettings(server.getIdleTimeout(), server.getHeadersTimeout(),
				server.getMaxRequestsPerConnection(), server.getMaxConnectionAge(), server.isAdvertiseIdleTimeout());
	}

	@Bean
	@ConditionalOnMissingBean
	ServerConnections keepAliveServerConnections(ServerKeepAliveSettings settings) {
		return new ServerConnections(new ConnectionPolicy(settings));
	}

}
