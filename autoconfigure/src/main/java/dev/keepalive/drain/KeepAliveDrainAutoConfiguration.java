package dev.keepalive.drain;

import java.time.Duration;

import dev.keepalive.autoconfigure.KeepAliveProperties;
import dev.keepalive.autoconfigure.KeepAliveServerAutoConfiguration;
import dev.keepalive.server.ServerConnections;
import org.jspecify.annotations.Nullable;

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

	private static final Duration KUBERNETES_QUIET_PERIOD = Duration.ofSeconds(1);

	private static final Duration KUBERNETES_MIN_DRAIN_DELAY = Duration.ofSeconds(2);

	@Bean
	@ConditionalOnMissingBean
	ServerDrain keepAliveServerDrain(ServerConnections serverConnections, KeepAliveProperties properties,
			Environment environment, ApplicationContext context) {
		KeepAliveProperties.Shutdown shutdown = properties.getShutdown();
		return new ServerDrain(serverConnections, context,
				new DrainSettings(drainDelay(shutdown, environment), quietPeriod(shutdown, environment),
						minDrainDelay(shutdown, environment), shutdown.getTimeout(), shutdown.getIdleGrace(),
						shutdown.getWebsocketCloseGrace()));
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
		return orPlatformDefault(shutdown.getDrainDelay(), environment, KUBERNETES_DRAIN_DELAY, Duration.ZERO);
	}

	/**
	 * The configured quiet period (0s for none), else 1s on Kubernetes, where in-cluster
	 * callers reconnect at once after a 'Connection: close' and so keep coming while
	 * their routes still lead here, and none elsewhere.
	 */
	static @Nullable Duration quietPeriod(KeepAliveProperties.Shutdown shutdown, Environment environment) {
		Duration quietPeriod = orPlatformDefault(shutdown.getQuietPeriod(), environment, KUBERNETES_QUIET_PERIOD,
				Duration.ZERO);
		return quietPeriod.isZero() ? null : quietPeriod;
	}

	/**
	 * The configured minimum, else 2s on Kubernetes: endpoints usually take a second or
	 * two to drop a terminating pod, and an instance without traffic cannot see when they
	 * have.
	 */
	static Duration minDrainDelay(KeepAliveProperties.Shutdown shutdown, Environment environment) {
		return orPlatformDefault(shutdown.getMinDrainDelay(), environment, KUBERNETES_MIN_DRAIN_DELAY, Duration.ZERO);
	}

	private static Duration orPlatformDefault(@Nullable Duration configured, Environment environment,
			Duration kubernetes, Duration elsewhere) {
		if (configured != null) {
			return configured;
		}
		return (CloudPlatform.getActive(environment) == CloudPlatform.KUBERNETES) ? kubernetes : elsewhere;
	}

}
