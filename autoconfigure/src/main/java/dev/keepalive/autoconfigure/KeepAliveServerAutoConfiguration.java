package dev.keepalive.autoconfigure;

import dev.keepalive.server.ConnectionPolicy;
import dev.keepalive.server.ServerKeepAliveSettings;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Resolves the server-side keep-alive settings that each server's auto-configuration (for
 * example {@code dev.keepalive.server.tomcat}) applies.
 */
@AutoConfiguration
@ConditionalOnKeepAliveServer
@EnableConfigurationProperties(KeepAliveProperties.class)
public final class KeepAliveServerAutoConfiguration {

	@Bean
	ServerKeepAliveSettings serverKeepAliveSettings(KeepAliveProperties properties) {
		KeepAliveProperties.Server server = properties.getServer();
		return new ServerKeepAliveSettings(server.getIdleTimeout(), server.getHeadersTimeout(),
				server.getMaxRequestsPerConnection(), server.getMaxConnectionAge(), server.isAdvertiseIdleTimeout());
	}

	@Bean
	ConnectionPolicy keepAliveConnectionPolicy(ServerKeepAliveSettings settings) {
		return new ConnectionPolicy(settings);
	}

}
