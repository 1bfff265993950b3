package dev.keepalive.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.keepalive.support.Durations;

/**
 * Keep-alive that yields when a connector runs out of connections. Past the high-water
 * mark, the idle timeout shrinks toward its floor in proportion to how far the open
 * connections are toward the maximum, and the idle connections beyond the mark are
 * closed, those idle longest first (the least likely to bring a request), so that new
 * clients still find room. Neither Tomcat nor Jetty yields: a flood of idle keep-alive
 * connections holds a connector full for the whole idle timeout.
 */
final class PressureRelief implements ConnectionSweeper.ConnectorRule {

	private static final Log logger = LogFactory.getLog(PressureRelief.class);

	/**
	 * Pressure ends once the connector has stayed at or below its mark this long, so that
	 * a flood held at the mark logs once.
	 */
	private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(5);

	/**
	 * Cheap until the connector passes its mark; past it, each check frees room that new
	 * clients wait for in the accept queue.
	 */
	private static final Duration INTERVAL = Duration.ofMillis(50);

	/**
	 * How long a new connection may wait for its first request before it counts as idle
	 * here: past the mark every new connection is idle until its client has sent, and new
	 * clients are the ones pressure makes room for.
	 */
	private static final long NEW_CONNECTION_GRACE_MILLIS = 1000;

	private final PressureSettings settings;

	PressureRelief(PressureSettings settings) {
		this.settings = settings;
	}

	@Override
	public Duration interval() {
		return INTERVAL;
	}

	@Override
	public void check(ManagedConnector connector, long nowNanos) {
		ConnectorLimits limits = connector.limits();
		ConnectorConnections connections = connector.connections();
		ConnectorPressure pressure = connections.pressure();
		Integer max = this.settings.maxConnections(limits);
		if (max == null) {
			pressure.noMaximum();
			return;
		}
		int mark = highWaterMark(max);
		long configured = limits.idleTimeout().toMillis();
		Census census = (connections.size() > mark) ? Census.of(connections) : null;
		int open = (census != null) ? census.open() : connections.size();
		long idleTimeout = idleTimeoutMillis(open, mark, max, configured);
		pressure.measured(max, mark, idleTimeout);
		if (census != null && open > mark) {
			if (pressure.aboveMark(nowNanos)) {
				logStart(connector.id(), open, max, mark, idleTimeout);
			}
			pressure.closed(closeIdle(census.idle(), open - mark, idleTimeout));
		}
		else if (pressure.atOrBelowMark(nowNanos, QUIET_NANOS)) {
			logEnd(connector.id(), pressure, nowNanos, configured);
		}
	}

	int highWaterMark(int maxConnections) {
		return Math.min(maxConnections - 1, (int) (maxConnections * this.settings.highWaterMark()));
	}

	/**
	 * The configured idle timeout up to the mark, shrinking in proportion to the floor at
	 * the maximum.
	 */
	long idleTimeoutMillis(int open, int mark, int max, long configuredMillis) {
		if (open <= mark) {
			return configuredMillis;
		}
		long floor = Math.min(this.settings.minIdleTimeout().toMillis(), configuredMillis);
		double towardMax = Math.min(1.0, (double) (open - mark) / (max - mark));
		return configuredMillis - Math.round((configuredMillis - floor) * towardMax);
	}

	/**
	 * Close the {@code excess} idle connections idle longest, and any idle longer than
	 * the idle timeout now in force.
	 * @return the number closed
	 */
	private static int closeIdle(List<Idle> idle, int excess, long idleTimeoutMillis) {
		idle.sort(Comparator.comparingLong(Idle::millis).reversed());
		int closed = 0;
		for (Idle candidate : idle) {
			if (closed >= excess && candidate.millis() < idleTimeoutMillis) {
				break;
			}
			if (candidate.connection().closeIfIdle(CloseReason.PRESSURE)) {
				closed++;
			}
		}
		return closed;
	}

	private void logStart(ConnectorId id, int open, int max, int mark, long idleTimeoutMillis) {
		logger.warn("Keepalive: " + id.scheme() + " port " + id.port() + " is under connection pressure: " + open
				+ " of " + max + " connections open, above the high-water mark of " + mark + ". Closing the idle"
				+ " connections beyond the mark, those idle longest first, and shortening the idle timeout toward "
				+ Durations.format(this.settings.minIdleTimeout()) + " (now "
				+ Durations.format(Duration.ofMillis(idleTimeoutMillis)) + "). Raise the maximum"
				+ " (keepalive.server.pressure.max-connections or the server's own) if this is normal load.");
	}

	private static void logEnd(ConnectorId id, ConnectorPressure pressure, long nowNanos, long configuredMillis) {
		Duration lasted = Duration.ofNanos(nowNanos - pressure.startedNanos());
		logger.info("Keepalive: connection pressure on " + id.scheme() + " port " + id.port() + " ended after "
				+ String.format("%.1fs", lasted.toMillis() / 1000.0) + ": " + pressure.closedSinceStart()
				+ " idle connections closed; the idle timeout is "
				+ Durations.format(Duration.ofMillis(configuredMillis)) + " again.");
	}

	private record Idle(TrackedConnection connection, long millis) {

	}

	/**
	 * The connections that still hold a place (one being closed does until its server
	 * reports it closed, which Jetty does a little later) and the idle ones among them.
	 */
	private record Census(int open, List<Idle> idle) {

		static Census of(ConnectorConnections connections) {
			int open = 0;
			List<Idle> idle = new ArrayList<>();
			for (TrackedConnection connection : connections.connections()) {
				if (!connection.isClosing()) {
					open++;
					if (connection.state() == ConnectionState.IDLE) {
						long idleMillis = connection.idleMillis();
						if (idleMillis >= NEW_CONNECTION_GRACE_MILLIS || connection.hasHadRequest()) {
							idle.add(new Idle(connection, idleMillis));
						}
					}
				}
			}
			return new Census(open, idle);
		}

	}

}
