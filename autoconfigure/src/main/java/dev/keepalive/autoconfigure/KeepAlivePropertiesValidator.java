package dev.keepalive.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.keepalive.support.Durations;
import org.springframework.util.unit.DataSize;

/**
 * Checks {@link KeepAliveProperties} for values Keepalive cannot work with.
 */
final class KeepAlivePropertiesValidator {

	private static final Duration ONE_SECOND = Duration.ofSeconds(1);

	private KeepAlivePropertiesValidator() {
	}

	static void validate(KeepAliveProperties properties) {
		KeepAliveProperties.Server server = properties.getServer();
		// Keep-Alive advertises whole seconds and both servers time out on a ~1 s tick.
		atLeast("keepalive.server.idle-timeout", server.getIdleTimeout(), ONE_SECOND, "65s");
		positive("keepalive.server.headers-timeout", server.getHeadersTimeout(), "20s");
		positive("keepalive.server.max-connection-age", server.getMaxConnectionAge(), "10m");
		positive("keepalive.server.upstream-idle-timeout", server.getUpstreamIdleTimeout(), "60s");
		notNegative("keepalive.server.min-request-body-rate", server.getMinRequestBodyRate());
		notNegative("keepalive.server.min-response-rate", server.getMinResponseRate());
		positive("keepalive.server.min-data-rate-grace", server.getMinDataRateGrace(), "5s");
		Integer maxRequests = server.getMaxRequestsPerConnection();
		if (maxRequests != null && maxRequests < 1) {
			throw new InvalidKeepAlivePropertyException("keepalive.server.max-requests-per-connection", maxRequests,
					"it must be at least 1 (1 disables keep-alive)",
					"Set keepalive.server.max-requests-per-connection to 1 or more, or remove it to keep the server's own limit.");
		}
		validatePressure(server);
		Duration upstream = server.getUpstreamIdleTimeout();
		if (upstream != null && server.getIdleTimeout().compareTo(upstream.plus(ONE_SECOND)) < 0) {
			throw new InvalidKeepAlivePropertyException("keepalive.server.idle-timeout",
					Durations.format(server.getIdleTimeout()),
					"it must exceed keepalive.server.upstream-idle-timeout (" + Durations.format(upstream)
							+ ") by at least 1s, otherwise the application closes idle connections that the proxy"
							+ " in front of it may still reuse",
					"Set keepalive.server.idle-timeout to " + Durations.format(upstream.plus(Duration.ofSeconds(5)))
							+ " or more, or correct keepalive.server.upstream-idle-timeout if the proxy's idle timeout"
							+ " is shorter.");
		}
		KeepAliveProperties.Shutdown shutdown = properties.getShutdown();
		Duration drainDelay = shutdown.getDrainDelay();
		if (drainDelay != null && drainDelay.isNegative()) {
			throw new InvalidKeepAlivePropertyException("keepalive.shutdown.drain-delay", Durations.format(drainDelay),
					"it must not be negative",
					"Set keepalive.shutdown.drain-delay to 0s or more (about twice your load balancer's readiness check interval).");
		}
		validateQuietPeriod(shutdown);
		positive("keepalive.shutdown.timeout", shutdown.getTimeout(), "30s");
		notNegative("keepalive.shutdown.idle-grace", shutdown.getIdleGrace(), "1s");
		if (shutdown.getIdleGrace().compareTo(shutdown.getTimeout()) > 0) {
			throw new InvalidKeepAlivePropertyException("keepalive.shutdown.idle-grace",
					Durations.format(shutdown.getIdleGrace()),
					"it must not exceed keepalive.shutdown.timeout (" + Durations.format(shutdown.getTimeout())
							+ "), which ends the drain",
					"Set keepalive.shutdown.idle-grace to at most " + Durations.format(shutdown.getTimeout())
							+ " (1s is plenty for a request already on its way).");
		}
		notNegative("keepalive.shutdown.websocket-close-grace", shutdown.getWebsocketCloseGrace(), "1s");
		positive("keepalive.client.max-idle-time", properties.getClient().getMaxIdleTime(), "4s");
	}

	private static void notNegative(String property, DataSize rate) {
		if (rate.isNegative()) {
			throw new InvalidKeepAlivePropertyException(property, rate, "it must not be negative",
					"Set " + property + " to a rate per second such as 240B, or 0B to turn it off.");
		}
	}

	private static void validatePressure(KeepAliveProperties.Server server) {
		KeepAliveProperties.Pressure pressure = server.getPressure();
		double mark = pressure.getHighWaterMark();
		if (!(mark > 0 && mark < 1)) {
			throw new InvalidKeepAlivePropertyException("keepalive.server.pressure.high-water-mark", mark,
					"it must be a fraction between 0 and 1 (exclusive) of the maximum connections",
					"Set keepalive.server.pressure.high-water-mark to a value such as 0.8.");
		}
		atLeast("keepalive.server.pressure.min-idle-timeout", pressure.getMinIdleTimeout(), ONE_SECOND, "5s");
		Integer maxConnections = pressure.getMaxConnections();
		if (maxConnections != null && maxConnections < 2) {
			throw new InvalidKeepAlivePropertyException("keepalive.server.pressure.max-connections", maxConnections,
					"it must be at least 2",
					"Set keepalive.server.pressure.max-connections to the connections a connector can hold, or remove"
							+ " it to use the server's own limit.");
		}
	}

	private static void validateQuietPeriod(KeepAliveProperties.Shutdown shutdown) {
		notNegative("keepalive.shutdown.quiet-period", shutdown.getQuietPeriod(), "1s");
		notNegative("keepalive.shutdown.min-drain-delay", shutdown.getMinDrainDelay(), "2s");
		Duration drainDelay = shutdown.getDrainDelay();
		Duration minDrainDelay = shutdown.getMinDrainDelay();
		if (drainDelay != null && minDrainDelay != null && minDrainDelay.compareTo(drainDelay) > 0) {
			throw new InvalidKeepAlivePropertyException("keepalive.shutdown.min-drain-delay",
					Durations.format(minDrainDelay),
					"it must not exceed keepalive.shutdown.drain-delay (" + Durations.format(drainDelay)
							+ "), the longest the drain delay lasts",
					"Set keepalive.shutdown.min-drain-delay to at most " + Durations.format(drainDelay)
							+ ", or raise keepalive.shutdown.drain-delay.");
		}
		List<String> probePaths = shutdown.getProbePaths();
		if (probePaths != null) {
			for (String path : probePaths) {
				if (!path.startsWith("/")) {
					throw new InvalidKeepAlivePropertyException("keepalive.shutdown.probe-paths", path,
							"each path must start with '/' (and include the context path)",
							"Set keepalive.shutdown.probe-paths to paths such as /actuator/health.");
				}
			}
		}
	}

	private static void positive(String property, @Nullable Duration value, String example) {
		if (value != null && (value.isNegative() || value.isZero())) {
			throw new InvalidKeepAlivePropertyException(property, Durations.format(value),
					"it must be a positive duration",
					"Set " + property + " to a positive duration, for example " + example + ".");
		}
	}

	private static void notNegative(String property, @Nullable Duration value, String example) {
		if (value != null && value.isNegative()) {
			throw new InvalidKeepAlivePropertyException(property, Durations.format(value), "it must not be negative",
					"Set " + property + " to 0s or more, for example " + example + ".");
		}
	}

	private static void atLeast(String property, Duration value, Duration minimum, String example) {
		if (value.compareTo(minimum) < 0) {
			throw new InvalidKeepAlivePropertyException(property, Durations.format(value),
					"it must be at least " + Durations.format(minimum),
					"Set " + property + " to " + Durations.format(minimum) + " or more, for example " + example + ".");
		}
	}

}
