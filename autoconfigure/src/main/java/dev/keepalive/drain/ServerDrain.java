package dev.keepalive.drain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionCounts;
import dev.keepalive.server.ConnectionPolicy;
import dev.keepalive.server.ConnectionState;
import dev.keepalive.server.Durations;
import dev.keepalive.server.ManagedConnector;
import dev.keepalive.server.ServerConnections;
import dev.keepalive.server.TrackedConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Drains the application's web server in phases, so that no request is lost: readiness
 * down while still serving ({@link DrainPhase#DRAIN_DELAY}), then stop accepting and let
 * open connections finish ({@link DrainPhase#DRAINING}), then close what is left
 * ({@link DrainPhase#FORCE_CLOSING}).
 * <p>
 * Runs once on context close when {@code keepalive.shutdown.enabled} is on, and can be
 * started at runtime with {@link #drain(Duration, Duration)} to take the HTTP server out
 * of service while the rest of the application keeps running. A server drains once; later
 * calls return the first report.
 */
public final class ServerDrain {

	private static final Log logger = LogFactory.getLog(ServerDrain.class);

	private static final long POLL_MILLIS = 20;

	/**
	 * How long a connection that has sent nothing yet may take to send its first request
	 * once the server stops accepting. Its client has just connected and its request is
	 * most likely on the way: closing it at once would lose that request.
	 */
	private static final long NEW_CONNECTION_GRACE_NANOS = Duration.ofSeconds(1).toNanos();

	private final ServerConnections server;

	private final ApplicationEventPublisher events;

	private final Duration defaultDrainDelay;

	private final Duration defaultTimeout;

	private final Duration upgradedCloseGrace;

	private volatile DrainPhase phase = DrainPhase.SERVING;

	private volatile @Nullable DrainReport report;

	/**
	 * Create a new drain.
	 * @param server the connections to drain
	 * @param events where phase changes and readiness are published
	 * @param defaultDrainDelay the drain delay of {@link #drain()}
	 * @param defaultTimeout the timeout of {@link #drain()}
	 * @param upgradedCloseGrace how long upgraded connections may take to close once the
	 * server stops accepting, before they are closed regardless
	 */
	public ServerDrain(ServerConnections server, ApplicationEventPublisher events, Duration defaultDrainDelay,
			Duration defaultTimeout, Duration upgradedCloseGrace) {
		this.server = server;
		this.events = events;
		this.defaultDrainDelay = defaultDrainDelay;
		this.defaultTimeout = defaultTimeout;
		this.upgradedCloseGrace = upgradedCloseGrace;
	}

	/**
	 * The phase the server is in.
	 * @return the phase
	 */
	public DrainPhase phase() {
		return this.phase;
	}

	/**
	 * The report of the drain, once it has completed.
	 * @return the report, or {@code null} if the server has not been drained
	 */
	public @Nullable DrainReport report() {
		return this.report;
	}

	/**
	 * The configured drain delay ({@code keepalive.shutdown.drain-delay}, or its default
	 * for the platform).
	 * @return the drain delay
	 */
	public Duration defaultDrainDelay() {
		return this.defaultDrainDelay;
	}

	/**
	 * The configured timeout ({@code keepalive.shutdown.timeout}).
	 * @return the timeout
	 */
	public Duration defaultTimeout() {
		return this.defaultTimeout;
	}

	/**
	 * Drain the server now with the configured drain delay and timeout.
	 * @return the report
	 * @see #drain(Duration, Duration)
	 */
	public DrainReport drain() {
		return drain(this.defaultDrainDelay, this.defaultTimeout);
	}

	/**
	 * Drain the server now and wait for the drain to complete. The application keeps
	 * running; its HTTP server accepts no more connections afterwards. Called from a
	 * request, the drain does not wait for that request's own connection, which closes
	 * after its response.
	 * @param drainDelay how long to keep serving with readiness down
	 * @param timeout how long to wait for open connections once no longer accepting
	 * @return the report
	 */
	public DrainReport drain(Duration drainDelay, Duration timeout) {
		return drain(drainDelay, timeout, "runtime");
	}

	synchronized DrainReport drain(Duration drainDelay, Duration timeout, String trigger) {
		DrainReport done = this.report;
		if (done != null) {
			return done;
		}
		TrackedConnection caller = TrackedConnection.current();
		ConnectionPolicy policy = this.server.policy();
		Counts before = Counts.of(this.server);
		Instant startedAt = Instant.now();
		long start = System.nanoTime();

		AvailabilityChangeEvent.publish(this.events, this, ReadinessState.REFUSING_TRAFFIC);
		policy.setCloseAfterResponse(true);
		ConnectionCounts atStart = enter(DrainPhase.DRAIN_DELAY, null);
		logger.info("Keepalive drain (" + trigger + ") DRAIN_DELAY: readiness is REFUSING_TRAFFIC for "
				+ Durations.format(drainDelay) + ", the server still accepts and every response closes its"
				+ " connection; " + atStart);
		sleep(drainDelay.toMillis());

		long drainingStart = System.nanoTime();
		List<ManagedConnector> connectors = this.server.connectors();
		connectors.forEach(ManagedConnector::stopAccepting);
		policy.setCloseAfterExchange(true);
		int closedIdle = closeIdle(caller);
		// Upgraded connections never finish by themselves: listeners of the DRAINING
		// event
		// tell them to go (WebSocket close 1012), and they get a short grace to do so.
		forEachOtherThan(caller, (connection) -> {
			if (connection.state() == ConnectionState.UPGRADED) {
				connection.closingFor(CloseReason.DRAIN_UPGRADED);
			}
		});
		ConnectionCounts draining = enter(DrainPhase.DRAINING, null);
		logger.info("Keepalive drain DRAINING: stopped accepting on " + ports(connectors) + ", closed " + closedIdle
				+ " idle connections, waiting up to " + Durations.format(timeout) + " for " + draining);
		long deadline = drainingStart + timeout.toNanos();
		long upgradedDeadline = drainingStart + this.upgradedCloseGrace.toNanos();
		long forced = 0;
		boolean upgradedForced = false;
		while (openOtherThan(caller) > 0 && System.nanoTime() - deadline < 0) {
			sleep(POLL_MILLIS);
			// a completed response whose client keeps the connection open leaves it idle
			closeIdle(caller);
			if (!upgradedForced && System.nanoTime() - upgradedDeadline >= 0) {
				forced += forceCloseUpgraded(caller);
				upgradedForced = true;
			}
		}

		long forceStart = System.nanoTime();
		if (openOtherThan(caller) > 0) {
			ConnectionCounts left = enter(DrainPhase.FORCE_CLOSING, null);
			logger.info("Keepalive drain FORCE_CLOSING: " + Durations.format(timeout) + " passed, closing " + left);
			forced += forceClose(caller);
		}
		long end = System.nanoTime();

		Counts during = Counts.of(this.server).minus(before);
		DrainReport report = new DrainReport(trigger, startedAt, Duration.ofNanos(drainingStart - start),
				Duration.ofNanos(forceStart - drainingStart), Duration.ofNanos(end - forceStart), during.responses(),
				during.closedIdle(), during.closedAfterResponse(), during.closedUpgraded(), forced);
		this.report = report;
		enter(DrainPhase.STOPPED, report);
		logger.info("Keepalive drain STOPPED after " + seconds(report.total()) + " (drain delay "
				+ seconds(report.drainDelay()) + ", draining " + seconds(report.draining()) + ", force closing "
				+ seconds(report.forceClosing()) + "): " + report.requestsServed()
				+ " requests served during the drain; connections closed idle " + report.closedIdle()
				+ ", after response " + report.closedAfterResponse() + ", upgraded " + report.closedUpgraded()
				+ ", forced " + report.forced());
		return report;
	}

	private ConnectionCounts enter(DrainPhase phase, @Nullable DrainReport report) {
		this.phase = phase;
		ConnectionCounts counts = this.server.counts();
		this.events.publishEvent(new DrainPhaseChangedEvent(this, phase, counts, report));
		return counts;
	}

	private int closeIdle(@Nullable TrackedConnection caller) {
		long now = System.nanoTime();
		int[] closed = new int[1];
		forEachOtherThan(caller, (connection) -> {
			boolean justOpened = connection.isNew() && now - connection.openedNanos() < NEW_CONNECTION_GRACE_NANOS;
			if (!justOpened && connection.closeIfIdle(CloseReason.DRAIN_IDLE)) {
				closed[0]++;
			}
		});
		return closed[0];
	}

	private long forceCloseUpgraded(@Nullable TrackedConnection caller) {
		long[] forced = new long[1];
		forEachOtherThan(caller, (connection) -> {
			if (connection.state() == ConnectionState.UPGRADED) {
				connection.forceClose(CloseReason.FORCED);
				forced[0]++;
			}
		});
		if (forced[0] > 0) {
			logger.info("Keepalive drain closed " + forced[0] + " upgraded connections still open after "
					+ Durations.format(this.upgradedCloseGrace));
		}
		return forced[0];
	}

	private long forceClose(@Nullable TrackedConnection caller) {
		long[] forced = new long[1];
		forEachOtherThan(caller, (connection) -> {
			connection.forceClose(CloseReason.FORCED);
			forced[0]++;
		});
		return forced[0];
	}

	private int openOtherThan(@Nullable TrackedConnection caller) {
		int[] open = new int[1];
		forEachOtherThan(caller, (connection) -> open[0]++);
		return open[0];
	}

	/**
	 * Visit every open connection except the one whose request started the drain.
	 */
	private void forEachOtherThan(@Nullable TrackedConnection caller, Consumer<TrackedConnection> action) {
		for (ManagedConnector connector : this.server.connectors()) {
			for (TrackedConnection connection : connector.connections().connections()) {
				if (connection != caller) {
					action.accept(connection);
				}
			}
		}
	}

	private static String ports(List<ManagedConnector> connectors) {
		return connectors.stream()
			.map((connector) -> connector.id().scheme() + " port " + connector.id().port())
			.collect(Collectors.joining(", "));
	}

	private static String seconds(Duration duration) {
		return String.format("%.1fs", duration.toMillis() / 1000.0);
	}

	private static void sleep(long millis) {
		if (millis <= 0) {
			return;
		}
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			// carry on draining: stopping half-way would lose requests
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * The counters a drain reports the growth of.
	 */
	private record Counts(long responses, long closedIdle, long closedAfterResponse, long closedUpgraded) {

		static Counts of(ServerConnections server) {
			return new Counts(server.policy().responsesWhileClosing(), server.closedCount(CloseReason.DRAIN_IDLE),
					server.closedCount(CloseReason.DRAIN_AFTER_RESPONSE),
					server.closedCount(CloseReason.DRAIN_UPGRADED));
		}

		Counts minus(Counts earlier) {
			return new Counts(this.responses - earlier.responses, this.closedIdle - earlier.closedIdle,
					this.closedAfterResponse - earlier.closedAfterResponse,
					this.closedUpgraded - earlier.closedUpgraded);
		}

	}

}
