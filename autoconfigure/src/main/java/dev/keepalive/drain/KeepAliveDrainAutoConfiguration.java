package dev.keepalive.drain;

import java.time.Duration;

import dev.keepalive.autoconfigure.KeepAliveProperties;
import dev.keepalive.autoconfigure.KeepAliveServerAutoConfiguration;
import dev.keepalive.server.ServerConnections;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.cloud.CloudPlatform;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The phased drain of the web server: on context close, and on demand.
 */
@AutoConfiguration(after = KeepAliveServerAutoConfiguration.class)
@ConditionalOnBean(ServerConnections.class)
public final class KeepAliveDrainAutoConfiguration {

	private static final Duration KUBERNETES_DRAIN_DELAY = Duration.ofSeconds(5);

	@Bean
	@ConditionalOnMissingBean
	ServerDrain keepAliveServerDrain(ServerConnections serverConnections, KeepAliveProperties properties,
			Environment environment, ApplicationContext context) {
		KeepAliveProperties.Shutdown shutdown = properties.getShutdown();
		return new ServerDrain(serverConnections, context, new DrainSettings(drainDelay(shutdown, environment),
				shutdown.getTimeout(), shutdown.getIdleGrace(), shutdown.getWebsocketCloseGrace()));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "keepalive.shutdown.enabled", matchIfMissing = true)
	DrainLifecycle keepAliveDrainLifecycle(ServerDrain drain, ApplicationContext context) {
		return new DrainLifecycle(drain, context);
	}

	/**
	 * The configured drain delay, else 5s on Kubernetes (where endpoints take a few
	 * seconds to drop a pod that is not ready) and none elsewhere.
	 */
	static Duration drainDelay(KeepAliveProperties.Shutdown shutdown, Environment environment) {
		if (shutdown.getDrainDelay() != null) {
			return shutdown.getDrainDelay();
		}
		return (CloudPlatform.getActive(environment) == CloudPlatform.KUBERNETES) ? KUBERNETES_DRAIN_DELAY
				: Duration.ZERO;
	}

}
