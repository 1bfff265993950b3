package dev.keepalive.server;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Checks every open connection, on one thread, against the rules that neither Tomcat nor
 * Jetty enforces: their timers restart on every byte, so a client sending one byte a
 * second holds a connection for as long as it likes.
 */
final class ConnectionSweeper {

	private static final Log logger = LogFactory.getLog(ConnectionSweeper.class);

	private final List<ManagedConnector> connectors;

	private final List<ConnectorRule> connectorRules;

	private final List<Rule> rules;

	private ScheduledExecutorService executor;

	ConnectionSweeper(List<ManagedConnector> connectors, List<ConnectorRule> connectorRules, List<Rule> rules) {
		this.connectors = connectors;
		this.connectorRules = connectorRules;
		this.rules = rules;
	}

	synchronized void start() {
		if (this.executor == null && !(this.rules.isEmpty() && this.connectorRules.isEmpty())) {
			this.executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
				Thread thread = new Thread(runnable, "keepalive-sweeper");
				thread.setDaemon(true);
				return thread;
			});
			// a connector rule looks at each connection only when it must act: it can run
			// more often than the rules that look at every connection
			for (ConnectorRule rule : this.connectorRules) {
				schedule(() -> checkConnectors(rule), rule.interval());
			}
			this.rules.stream()
				.map(Rule::interval)
				.min(Duration::compareTo)
				.ifPresent((interval) -> schedule(this::checkConnections, interval));
		}
	}

	private void schedule(Runnable check, Duration interval) {
		long millis = interval.toMillis();
		this.executor.scheduleWithFixedDelay(() -> {
			try {
				check.run();
			}
			catch (RuntimeException ex) {
				// keep sweeping: one bad connection must not end the defence for all
				logger.warn("Connection sweep failed", ex);
			}
		}, millis, millis, TimeUnit.MILLISECONDS);
	}

	synchronized void stop() {
		if (this.executor != null) {
			this.executor.shutdownNow();
			this.executor = null;
		}
	}

	private void checkConnectors(ConnectorRule rule) {
		long now = System.nanoTime();
		for (ManagedConnector connector : this.connectors) {
			rule.check(connector, now);
		}
	}

	private void checkConnections() {
		long now = System.nanoTime();
		for (ManagedConnector connector : this.connectors) {
			for (TrackedConnection connection : connector.connections().connections()) {
				for (Rule rule : this.rules) {
					rule.check(connection, now);
				}
			}
		}
	}

	/**
	 * Often enough to act within an eighth of a rule's time limit, at most every
	 * {@code longest}.
	 */
	static Duration intervalFor(Duration limit, Duration longest) {
		return Duration.ofMillis(Math.max(50, Math.min(longest.toMillis(), limit.toMillis() / 8)));
	}

	/**
	 * One rule a connector must keep.
	 */
	interface ConnectorRule {

		/**
		 * How often the rule needs checking.
		 * @return the interval
		 */
		Duration interval();

		/**
		 * Check one connector, and close what breaks the rule.
		 * @param connector the connector
		 * @param nowNanos {@link System#nanoTime()} at the start of the sweep
		 */
		void check(ManagedConnector connector, long nowNanos);

	}

	/**
	 * One rule a connection must keep.
	 */
	interface Rule {

		/**
		 * How often the rule needs checking.
		 * @return the interval
		 */
		Duration interval();

		/**
		 * Check one connection, and close it if it breaks the rule.
		 * @param connection the connection
		 * @param nowNanos {@link System#nanoTime()} at the start of the sweep
		 */
		void check(TrackedConnection connection, long nowNanos);

	}

	/**
	 * A request line and headers must be complete within the headers timeout of their
	 * first byte.
	 */
	static final class HeadersDeadline implements Rule {

		private final long timeoutNanos;

		private final Duration interval;

		HeadersDeadline(Duration timeout) {
			this.timeoutNanos = timeout.toNanos();
			this.interval = intervalFor(timeout, Duration.ofMillis(500));
		}

		@Override
		public Duration interval() {
			return this.interval;
		}

		@Override
		public void check(TrackedConnection connection, long nowNanos) {
			if (connection.state() == ConnectionState.READING_HEADERS
					&& nowNanos - connection.headersStartedNanos() >= this.timeoutNanos) {
				connection.closeIfReadingHeaders();
			}
		}

	}

	/**
	 * A request body the server waits for must arrive at the minimum rate, once the
	 * server has waited for the grace period.
	 */
	static final class MinRequestBodyRate implements Rule {

		private final long bytesPerSecond;

		private final long graceNanos;

		private final Duration interval;

		MinRequestBodyRate(long bytesPerSecond, Duration grace) {
			this.bytesPerSecond = bytesPerSecond;
			this.graceNanos = grace.toNanos();
			this.interval = intervalFor(grace, Duration.ofMillis(250));
		}

		@Override
		public Duration interval() {
			return this.interval;
		}

		@Override
		public void check(TrackedConnection connection, long nowNanos) {
			ConnectionState state = connection.state();
			if ((state == ConnectionState.ACTIVE || state == ConnectionState.ASYNC)
					&& connection.requestBodyRate().tooSlow(nowNanos, this.bytesPerSecond, this.graceNanos)) {
				connection.endRequestBodyTooSlow();
			}
		}

	}

}
