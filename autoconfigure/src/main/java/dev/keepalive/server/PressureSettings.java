package dev.keepalive.server;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How keep-alive yields when a connector runs out of connections, resolved from
 * {@code keepalive.server.pressure.*}.
 *
 * @param highWaterMark fraction of the maximum connections above which a connector is
 * under pressure
 * @param minIdleTimeout the idle timeout at the maximum connections
 * @param maxConnections the maximum connections per connector, or {@code null} for the
 * server's own limit
 */
public record PressureSettings(double highWaterMark, Duration minIdleTimeout, @Nullable Integer maxConnections) {

	/**
	 * The maximum connections a connector's pressure is measured against.
	 * @param limits the connector's limits
	 * @return the configured maximum, else the server's own, else {@code null}
	 */
	@Nullable Integer maxConnections(ConnectorLimits limits) {
		return (this.maxConnections != null) ? this.maxConnections : limits.maxConnections();
	}

}
