package dev.keepalive.server;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Closes connections whose request line and headers are not complete within the headers
 * timeout of their first byte. Neither Tomcat nor Jetty can: their timers restart on
 * every byte, so one byte a second keeps a connection forever.
 */
final class HeadersTimeoutSweeper {

	private static final Log logger = LogFactory.getLog(HeadersTimeoutSweeper.class);

	private final List<ManagedConnector> connectors;

	private final long timeoutNanos;

	private final Duration interval;

	private ScheduledExecutorService executor;

	HeadersTimeoutSweeper(List<ManagedConnector> connectors, Duration timeout) {
		this.connectors = connectors;
		this.timeoutNanos = timeout.toNanos();
		// often enough to close within an eighth of the timeout, at most twice a second
		this.interval = Duration.ofMillis(Math.max(50, Math.min(500, timeout.toMillis() / 8)));
	}

	synchronized void start() {
		if (this.executor == null) {
			this.executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
				Thread thread = new Thread(runnable, "keepalive-headers-timeout");
				thread.setDaemon(true);
				return thread;
			});
			long millis = this.interval.toMillis();
			this.executor.scheduleWithFixedDelay(this::sweep, millis, millis, TimeUnit.MILLISECONDS);
		}
	}

	synchronized void stop() {
		if (this.executor != null) {
			this.executor.shutdownNow();
			this.executor = null;
		}
	}

	void sweep() {
		try {
			long now = System.nanoTime();
			for (ManagedConnector connector : this.connectors) {
				for (TrackedConnection connection : connector.connections().connections()) {
					if (connection.state() == ConnectionState.READING_HEADERS
							&& now - connection.headersStartedNanos() >= this.timeoutNanos) {
						connection.closeIfReadingHeaders();
					}
				}
			}
		}
		catch (RuntimeException ex) {
			// keep sweeping: one bad connection must not end the defence for all
			logger.warn("Headers timeout sweep failed", ex);
		}
	}

}
