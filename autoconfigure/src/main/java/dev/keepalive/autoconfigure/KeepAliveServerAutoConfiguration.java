package dev.keepalive.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.keepalive.server.ConnectionPolicy;
import dev.keepalive.server.NewWork;
import dev.keepalive.server.PressureSettings;
import dev.keepalive.server.ServerConnections;
import dev.keepalive.server.ServerKeepAliveSettings;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;

/**
 * The server-side model every server implementation (for example
 * {@code dev.keepalive.server.tomcat}) applies: settings, policy and the registry of
 * connectors, in a servlet or reactive application on an embedded server Keepalive
 * supports. After the reactive servers' auto-configurations, whose factory tells which
 * server a reactive application runs on.
 */
@AutoConfiguration(
		afterName = { "org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration",
				"org.springframework.boot.jetty.autoconfigure.reactive.JettyReactiveWebServerAutoConfiguration",
				"org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration" })
@ConditionalOnBooleanProperty(name = "keepalive.enabled", matchIfMissing = true)
@Conditional({ OnSupportedServerCondition.class, OnSupportedWebApplicationCondition.class })
@EnableConfigurationProperties(KeepAliveProperties.class)
public final class KeepAliveServerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ServerKeepAliveSettings serverKeepAliveSettings(KeepAliveProperties properties) {
		KeepAliveProperties.Server server = properties.getServer();
		return new ServerKeepAliveSettings(server.getIdleTimeout(), server.getHeadersTimeout(),
				server.getMaxRequestsPerConnection(), server.getMaxConnectionAge(), server.isAdvertiseIdleTimeout(),
				server.getMinRequestBodyRate().toBytes(), server.getMinResponseRate().toBytes(),
				server.getMinDataRateGrace(), pressureSettings(server.getPressure()));
	}

	private static @Nullable PressureSettings pressureSettings(KeepAliveProperties.Pressure pressure) {
		return pressure.isEnabled() ? new PressureSettings(pressure.getHighWaterMark(), pressure.getMinIdleTimeout(),
				pressure.getMaxConnections()) : null;
	}

	@Bean
	@ConditionalOnMissingBean
	ServerConnections keepAliveServerConnections(ServerKeepAliveSettings settings, KeepAliveProperties properties,
			Environment environment) {
		return new ServerConnections(new ConnectionPolicy(settings),
				new NewWork(probePaths(properties.getShutdown(), environment)));
	}

	/**
	 * The configured probe paths, else the actuator health endpoint's, where the
	 * application's own port serves it: under the servlet context path, or the WebFlux
	 * base path (only one of them is set in an application that means it).
	 */
	static List<String> probePaths(KeepAliveProperties.Shutdown shutdown, Environment environment) {
		List<String> configured = shutdown.getProbePaths();
		if (configured != null) {
			return configured;
		}
		String contextPath = environment.getProperty("server.servlet.context-path",
				environment.getProperty("spring.webflux.base-path", ""));
		String basePath = environment.getProperty("management.endpoints.web.base-path", "/actuator");
		return List.of(trimTrailingSlash(contextPath) + trimTrailingSlash(basePath) + "/health");
	}

	private static String trimTrailingSlash(String path) {
		return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
	}

}
