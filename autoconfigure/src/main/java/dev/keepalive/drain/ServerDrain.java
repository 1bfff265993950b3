package dev.keepalive.drain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionCounts;
import dev.keepalive.server.ConnectionState;
import dev.keepalive.server.ManagedConnector;
import dev.keepalive.server.NewWork;
import dev.keepalive.server.ServerConnections;
import dev.keepalive.server.TrackedConnection;
import dev.keepalive.support.Durations;
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
 * Runs on context close when {@code keepalive.shutdown.enabled} is on, and can be started
 * at runtime with {@link #drain(Duration, Duration)} to take the HTTP server out of
 * service while the rest of the application keeps running. A drain is final: later calls
 * return its report, until the application context is stopped and started again (which
 * restarts the server).
 */
public final class ServerDrain {

	private static final Log logger = LogFactory.getLog(ServerDrain.class);

	private static final long POLL_MILLIS = 20;

	/**
	 * The least time between the graceful GOAWAY and the final one, so that streams a
	 * client opened before it read the first are processed (HTTP/2 asks for at least a
	 * round trip; Go's server waits as long).
	 */
	private static final long GOAWAY_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();

	private final ServerConnections server;

	private final ApplicationEventPublisher events;

	private final DrainSettings settings;

	private volatile DrainPhase phase = DrainPhase.SERVING;

	private volatile @Nullable DrainReport report;

	private volatile boolean drained;

	/**
	 * Create a new drain.
	 * @param server the connections to drain
	 * @param events where phase changes and readiness are published
	 * @param settings the configured settings; {@link #drain()} uses them
	 */
	public ServerDrain(ServerConnections server, ApplicationEventPublisher events, DrainSettings settings) {
		this.server = server;
		this.events = events;
		this.settings = settings;
	}

	/**
	 * The phase the server is in.
	 * @return the phase
	 */
	public DrainPhase phase() {
		return this.phase;
	}

	/**
	 * The report of the last drain, once it has completed.
	 * @return the report, or {@code null} if the server has not been drained
	 */
	public @Nullable DrainReport report() {
		return this.report;
	}

	/**
	 * The configured settings ({@code keepalive.shutdown.*}, the drain delay with its
	 * default for the platform).
	 * @return the settings
	 */
	public DrainSettings settings() {
		return this.settings;
	}

	/**
	 * Drain the server now with the configured drain delay and timeout.
	 * @return the report
	 * @see #drain(Duration, Duration)
	 */
	public DrainReport drain() {
		return drain(this.settings.drainDelay(), this.settings.timeout());
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
		return drain(this.settings.with(drainDelay, timeout), "runtime");
	}

	synchronized DrainReport drain(DrainSettings settings, String trigger) {
		DrainReport done = this.report;
		if (this.drained && done != null) {
			return done;
		}
		if (this.server.connectors().isEmpty()) {
			// no embedded server (a mock web environment, a war): nothing to drain
			return new DrainReport(trigger, Instant.now(), Duration.ZERO, Duration.ZERO, Duration.ZERO, 0, 0, 0, 0, 0,
					0, DrainDelayEnd.MAXIMUM, null, null);
		}
		Run run = new Run(trigger, settings, TrackedConnection.current(), Counts.of(this.server));
		drainDelay(run);
		draining(run);
		forceClosing(run);
		DrainReport report = stopped(run);
		this.report = report;
		this.drained = true;
		return report;
	}

	/**
	 * Serve with keep-alive again after the server has been stopped and started: the next
	 * stop drains again.
	 */
	synchronized void serveAgain() {
		if (this.drained) {
			this.drained = false;
			this.server.keepAlive();
			this.phase = DrainPhase.SERVING;
			AvailabilityChangeEvent.publish(this.events, this, ReadinessState.ACCEPTING_TRAFFIC);
		}
	}

	private void drainDelay(Run run) {
		AvailabilityChangeEvent.publish(this.events, this, ReadinessState.REFUSING_TRAFFIC);
		if (run.noDrainDelay) {
			this.server.stopping();
		}
		else {
			this.server.closeAfterResponse();
		}
		ConnectionCounts open = enter(DrainPhase.DRAIN_DELAY, null);
		logger.info("Keepalive drain (" + run.trigger + ") DRAIN_DELAY: readiness is REFUSING_TRAFFIC"
				+ describeDrainDelay(run.settings) + "; " + open);
		run.drainDelayEnd = awaitDrainDelayEnd(run.settings);
		run.lastNewConnection = this.server.newWork().lastNewConnection();
		run.lastRequest = this.server.newWork().lastRequest();
		if (!run.noDrainDelay) {
			logDrainDelayOver(run);
		}
	}

	private static void logDrainDelayOver(Run run) {
		logger
			.info("Keepalive drain DRAIN_DELAY over after " + seconds(Duration.ofNanos(System.nanoTime() - run.started))
					+ ((run.drainDelayEnd == DrainDelayEnd.QUIET)
							? ", quiet for " + Durations.format(run.settings.quietPeriod()) : ", its full length")
					+ "; new work after readiness went down (probes aside): "
					+ describeArrival(run.lastNewConnection, "new connection") + ", "
					+ describeArrival(run.lastRequest, "request"));
	}

	private static String describeDrainDelay(DrainSettings settings) {
		Duration delay = settings.drainDelay();
		if (delay.isZero()) {
			return " (no drain delay)";
		}
		Duration quiet = settings.quietPeriod();
		String length = (quiet != null)
				? " until no new work has come for " + Durations.format(quiet) + " (at least "
						+ Durations.format(settings.minDrainDelay()) + ", at most " + Durations.format(delay) + ")"
				: " for " + Durations.format(delay);
		return "; the server still accepts" + length + " and every response closes its connection";
	}

	/**
	 * Wait for the end of the drain delay: its full length, or with a quiet period the
	 * first moment past the minimum when no new work has arrived for that long.
	 */
	private DrainDelayEnd awaitDrainDelayEnd(DrainSettings settings) {
		Duration quiet = settings.quietPeriod();
		if (quiet == null) {
			sleep(settings.drainDelay().toMillis());
			return DrainDelayEnd.MAXIMUM;
		}
		NewWork newWork = this.server.newWork();
		long start = newWork.sinceNanos();
		long max = start + settings.drainDelay().toNanos();
		long min = start + settings.minDrainDelay().toNanos();
		while (true) {
			long now = System.nanoTime();
			if (now - max >= 0) {
				return DrainDelayEnd.MAXIMUM;
			}
			if (now - min >= 0 && now - newWork.lastRequestNanos() >= quiet.toNanos()) {
				return DrainDelayEnd.QUIET;
			}
			sleep(Math.min(POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(max - now) + 1));
		}
	}

	private static String describeArrival(@Nullable Duration after, String what) {
		return (after != null) ? "last " + what + " at " + seconds(after) : "no " + what;
	}

	private void draining(Run run) {
		run.drainingStarted = System.nanoTime();
		List<ManagedConnector> connectors = this.server.connectors();
		if (!run.noDrainDelay) {
			this.server.closeAfterExchange();
		}
		run.takenFromAcceptQueue = this.server.stopAccepting();
		run.acceptingStopped = System.nanoTime();
		if (run.noDrainDelay) {
			// told only now (see ServerConnections#stopping). A connection whose response
			// went out with keep-alive is left to the idle grace: ended right after that
			// response, it would drop a request the client sent at once
			this.server.closeAfterResponse();
		}
		// Upgraded connections never finish by themselves: listeners of the DRAINING
		// event tell them to go (WebSocket close 1012), and they get a grace to do so.
		for (TrackedConnection connection : this.server.connectionsOtherThan(run.caller)) {
			if (connection.state() == ConnectionState.UPGRADED) {
				connection.closingFor(CloseReason.DRAIN_UPGRADED);
			}
		}
		ConnectionCounts open = enter(DrainPhase.DRAINING, null);
		logger.info("Keepalive drain DRAINING: stopped accepting on " + ports(connectors) + " ("
				+ run.takenFromAcceptQueue + " queued connections taken), idle connections get "
				+ Durations.format(run.settings.idleGrace()) + " for a last request, waiting up to "
				+ Durations.format(run.settings.timeout()) + " for " + open);
		awaitConnectionsClosed(run);
	}

	/**
	 * Wait for the open connections to finish, closing idle ones once the idle grace has
	 * passed (HTTP/2 ones after their final GOAWAY) and upgraded ones that outlive their
	 * grace. The graces count from the moment the server stopped accepting: a connection
	 * just taken from the accept queue has its request on the way.
	 */
	private void awaitConnectionsClosed(Run run) {
		long deadline = run.drainingStarted + run.settings.timeout().toNanos();
		long idleGraceEnd = run.acceptingStopped + run.settings.idleGrace().toNanos();
		// the graceful GOAWAY went out as the drain began, or, with no drain delay, once
		// the server had stopped accepting
		long gracefulGoAway = run.noDrainDelay ? run.acceptingStopped : run.started;
		long finalGoAway = later(idleGraceEnd, gracefulGoAway + GOAWAY_INTERVAL_NANOS);
		long upgradedGraceEnd = run.acceptingStopped + run.settings.upgradedCloseGrace().toNanos();
		boolean upgradedClosed = false;
		while (true) {
			List<TrackedConnection> open = this.server.connectionsOtherThan(run.caller);
			long now = System.nanoTime();
			if (open.isEmpty() || now - deadline >= 0) {
				return;
			}
			if (now - idleGraceEnd >= 0) {
				closeIdle(open, now - finalGoAway >= 0);
			}
			if (!upgradedClosed && now - upgradedGraceEnd >= 0) {
				forceCloseUpgraded(open, run.settings.upgradedCloseGrace());
				upgradedClosed = true;
			}
			sleep(POLL_MILLIS);
		}
	}

	/**
	 * Close idle connections: HTTP/2 ones only once they may get the final GOAWAY, which
	 * from then on every HTTP/2 connection gets, so that clients that could still open
	 * streams during the grace may not.
	 */
	private void closeIdle(List<TrackedConnection> open, boolean finalGoAway) {
		if (finalGoAway) {
			this.server.goAway();
		}
		for (TrackedConnection connection : open) {
			if (finalGoAway || !connection.isHttp2()) {
				connection.closeIfIdle(CloseReason.DRAIN_IDLE);
			}
		}
	}

	private void forceCloseUpgraded(List<TrackedConnection> open, Duration grace) {
		int forced = 0;
		for (TrackedConnection connection : open) {
			if (connection.state() == ConnectionState.UPGRADED && this.server.forceClose(connection, false)) {
				forced++;
			}
		}
		if (forced > 0) {
			logger.info("Keepalive drain closed " + forced + " upgraded connections still open after "
					+ Durations.format(grace));
		}
	}

	private void forceClosing(Run run) {
		run.forceClosingStarted = System.nanoTime();
		List<TrackedConnection> left = this.server.connectionsOtherThan(run.caller);
		if (left.isEmpty()) {
			return;
		}
		ConnectionCounts open = enter(DrainPhase.FORCE_CLOSING, null);
		logger.info("Keepalive drain FORCE_CLOSING: " + Durations.format(run.settings.timeout()) + " passed, closing "
				+ open + " and interrupting their request threads");
		for (TrackedConnection connection : left) {
			this.server.forceClose(connection, true);
		}
		this.server.stopWaitingForRequests();
	}

	private DrainReport stopped(Run run) {
		long end = System.nanoTime();
		Counts during = Counts.of(this.server).minus(run.before);
		DrainReport report = new DrainReport(run.trigger, run.startedAt,
				Duration.ofNanos(run.drainingStarted - run.started),
				Duration.ofNanos(run.forceClosingStarted - run.drainingStarted),
				Duration.ofNanos(end - run.forceClosingStarted), during.responses(), run.takenFromAcceptQueue,
				during.closedIdle(), during.closedAfterResponse(), during.closedUpgraded(), during.forced(),
				run.drainDelayEnd, run.lastNewConnection, run.lastRequest);
		enter(DrainPhase.STOPPED, report);
		logger.info("Keepalive drain STOPPED after " + seconds(report.total()) + " (drain delay "
				+ seconds(report.drainDelay()) + ", draining " + seconds(report.draining()) + ", force closing "
				+ seconds(report.forceClosing()) + "): " + plural(report.requestsServed(), "request")
				+ " served during the drain; connections closed idle " + report.closedIdle() + ", after response "
				+ report.closedAfterResponse() + ", upgraded " + report.closedUpgraded() + ", forced "
				+ report.forced());
		return report;
	}

	private ConnectionCounts enter(DrainPhase phase, @Nullable DrainReport report) {
		this.phase = phase;
		ConnectionCounts counts = this.server.counts();
		this.events.publishEvent(new DrainPhaseChangedEvent(this, phase, counts, report));
		return counts;
	}

	private static long later(long nanos, long otherNanos) {
		return (nanos - otherNanos >= 0) ? nanos : otherNanos;
	}

	private static String ports(List<ManagedConnector> connectors) {
		return connectors.stream()
			.map((connector) -> connector.id().scheme() + " port " + connector.id().port())
			.collect(Collectors.joining(", "));
	}

	private static String seconds(Duration duration) {
		return String.format("%.1fs", duration.toMillis() / 1000.0);
	}

	private static String plural(long count, String noun) {
		return count + " " + noun + ((count != 1) ? "s" : "");
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
	 * One drain, from start to report.
	 */
	private static final class Run {

		private final String trigger;

		private final DrainSettings settings;

		/**
		 * Connections are told to close only once the server has stopped accepting (see
		 * {@link ServerConnections#stopping()}).
		 */
		private final boolean noDrainDelay;

		private final @Nullable TrackedConnection caller;

		private final Counts before;

		private final Instant startedAt = Instant.now();

		private final long started = System.nanoTime();

		private long drainingStarted;

		private long acceptingStopped;

		private long forceClosingStarted;

		private int takenFromAcceptQueue;

		private DrainDelayEnd drainDelayEnd = DrainDelayEnd.MAXIMUM;

		private @Nullable Duration lastNewConnection;

		private @Nullable Duration lastRequest;

		Run(String trigger, DrainSettings settings, @Nullable TrackedConnection caller, Counts before) {
			this.trigger = trigger;
			this.settings = settings;
			this.noDrainDelay = settings.drainDelay().isZero();
			this.caller = caller;
			this.before = before;
		}

	}

	/**
	 * The counters a drain reports the growth of.
	 */
	private record Counts(long responses, long closedIdle, long closedAfterResponse, long closedUpgraded, long forced) {

		static Counts of(ServerConnections server) {
			return new Counts(server.responsesWhileClosing(), server.closedCount(CloseReason.DRAIN_IDLE),
					server.closedCount(CloseReason.DRAIN_AFTER_RESPONSE),
					server.closedCount(CloseReason.DRAIN_UPGRADED), server.closedCount(CloseReason.FORCED));
		}

		Counts minus(Counts earlier) {
			return new Counts(this.responses - earlier.responses, this.closedIdle - earlier.closedIdle,
					this.closedAfterResponse - earlier.closedAfterResponse,
					this.closedUpgraded - earlier.closedUpgraded, this.forced - earlier.forced);
		}

	}

}
