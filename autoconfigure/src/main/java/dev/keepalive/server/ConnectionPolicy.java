package dev.keepalive.server;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;

/**
 * Decides, when a response is committed, whether its connection stays open, and what the
 * response says about it. Shared by every server implementation so that the rules are the
 * same on all of them.
 */
public final class ConnectionPolicy {

	private final ServerKeepAliveSettings settings;

	private volatile boolean closeAfterResponse;

	private volatile boolean closeAfterExchange;

	private final LongAdder responsesWhileClosing = new LongAdder();

	/** The last header value built, reused while the idle timeout stays the same. */
	private volatile KeepAliveValue keepAliveValue = new KeepAliveValue(-1, null);

	public ConnectionPolicy(ServerKeepAliveSettings settings) {
		this.settings = settings;
	}

	public ServerKeepAliveSettings settings() {
		return this.settings;
	}

	/**
	 * Return why the response being committed must close its connection, or {@code null}
	 * if Keepalive lets it stay open.
	 * @param connection the connection, or {@code null} if it is not tracked
	 * @param requestsOnConnection the number of requests received on the connection so
	 * far, this one included
	 * @param maxRequests the connector's limit of requests per connection, 0 or less for
	 * none
	 * @return the reason to close, or {@code null}
	 */
	public @Nullable CloseReason closeReason(@Nullable TrackedConnection connection, long requestsOnConnection,
			int maxRequests) {
		if (this.closeAfterResponse) {
			return CloseReason.DRAIN_AFTER_RESPONSE;
		}
		if (maxRequests > 0 && requestsOnConnection >= maxRequests) {
			return CloseReason.MAX_REQUESTS;
		}
		if (connection != null && connection.hasMaxAge() && connection.maxAgeReached(System.nanoTime())) {
			return CloseReason.MAX_AGE;
		}
		return null;
	}

	/**
	 * Count a response being committed. Server implementations call this for every
	 * response.
	 */
	public void responseCommitted() {
		if (this.closeAfterResponse) {
			this.responsesWhileClosing.increment();
		}
	}

	/**
	 * The number of responses committed while every response closed its connection.
	 * @return the count
	 */
	public long responsesWhileClosing() {
		return this.responsesWhileClosing.sum();
	}

	/**
	 * Make every response from now on close its connection, or stop doing so.
	 * @param closeAfterResponse whether connections close after their response
	 */
	public void setCloseAfterResponse(boolean closeAfterResponse) {
		this.closeAfterResponse = closeAfterResponse;
	}

	/**
	 * Whether a connection closes once its current exchange completes, even if the
	 * response was committed with keep-alive before the drain (set while draining, once
	 * the server no longer accepts).
	 * @return whether connections close after their exchange
	 */
	public boolean isCloseAfterExchange() {
		return this.closeAfterExchange;
	}

	/**
	 * Make every connection close once its current exchange completes. Until then, a
	 * response already committed with keep-alive leaves its connection open, and the next
	 * response on it says close: closing right after a response that promised keep-alive
	 * would race a client reusing it.
	 * @param closeAfterExchange whether connections close after their exchange
	 */
	public void setCloseAfterExchange(boolean closeAfterExchange) {
		this.closeAfterExchange = closeAfterExchange;
	}

	/**
	 * The {@code Keep-Alive} header value for a response that keeps its connection open,
	 * or {@code null} if none is sent.
	 * @param idleTimeoutMillis the idle timeout the server applies to the connection
	 * @return for example {@code timeout=65}
	 */
	public @Nullable String keepAliveHeaderValue(long idleTimeoutMillis) {
		if (!this.settings.advertiseIdleTimeout() || idleTimeoutMillis < 1000) {
			return null;
		}
		KeepAliveValue value = this.keepAliveValue;
		if (value.idleTimeoutMillis() != idleTimeoutMillis) {
			value = new KeepAliveValue(idleTimeoutMillis, "timeout=" + (idleTimeoutMillis / 1000));
			this.keepAliveValue = value;
		}
		return value.header();
	}

	private record KeepAliveValue(long idleTimeoutMillis, @Nullable String header) {

	}

	/**
	 * A maximum age for a new connection: {@code max-connection-age} with ±10 % jitter,
	 * so that connections opened together do not all close together.
	 * @return the age in nanoseconds, or -1 if there is no maximum age
	 */
	long jitteredMaxAgeNanos() {
		Duration maxAge = this.settings.maxConnectionAge();
		if (maxAge == null) {
			return -1;
		}
		double jitter = 0.9 + 0.2 * ThreadLocalRandom.current().nextDouble();
		return (long) (maxAge.toNanos() * jitter);
	}

}
