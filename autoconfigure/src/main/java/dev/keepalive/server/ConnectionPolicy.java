package dev.keepalive.server;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

/**
 * The keep-alive rules every server implementation applies, so that they are the same on
 * all of them: when a response must close its connection, what it advertises when it does
 * not, and each connection's maximum age.
 */
public final class ConnectionPolicy {

	private final ServerKeepAliveSettings settings;

	public ConnectionPolicy(ServerKeepAliveSettings settings) {
		this.settings = settings;
	}

	public ServerKeepAliveSettings settings() {
		return this.settings;
	}

	/**
	 * Return why the response being committed must close its connection under the
	 * keep-alive rules, or {@code null} if they let it stay open.
	 * @param connection the connection, or {@code null} if it is not tracked
	 * @param requestsOnConnection the number of requests received on the connection so
	 * far, this one included
	 * @param maxRequests the connector's limit of requests per connection, 0 or less for
	 * none
	 * @return the reason to close, or {@code null}
	 */
	public @Nullable CloseReason closeReason(@Nullable TrackedConnection connection, long requestsOnConnection,
			int maxRequests) {
		if (maxRequests > 0 && requestsOnConnection >= maxRequests) {
			return CloseReason.MAX_REQUESTS;
		}
		if (connection != null && connection.hasMaxAge() && connection.maxAgeReached(System.nanoTime())) {
			return CloseReason.MAX_AGE;
		}
		return null;
	}

	/**
	 * The {@code Keep-Alive} header value for responses that keep their connection open,
	 * or {@code null} if none is sent. Server implementations compute it once per
	 * connector.
	 * @param idleTimeoutMillis the idle timeout the server applies to the connection
	 * @return for example {@code timeout=65}
	 */
	public @Nullable String keepAliveHeaderValue(long idleTimeoutMillis) {
		if (!this.settings.advertiseIdleTimeout() || idleTimeoutMillis < 1000) {
			return null;
		}
		return "timeout=" + (idleTimeoutMillis / 1000);
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
