package dev.keepalive.client;

import org.jspecify.annotations.Nullable;

/**
 * One attempt of an exchange, published on the calling thread so that a library whose
 * listeners run on that thread when the request is queued (the Jetty client) can say
 * whether the attempt ran on a reused connection and whether the response began.
 */
final class ExchangeAttempt {

	private static final ThreadLocal<ExchangeAttempt> current = new ThreadLocal<>();

	private final @Nullable ExchangeAttempt previous;

	private volatile @Nullable String client;

	private volatile boolean reused;

	private volatile boolean responseStarted;

	private ExchangeAttempt(@Nullable ExchangeAttempt previous) {
		this.previous = previous;
	}

	static ExchangeAttempt start() {
		ExchangeAttempt attempt = new ExchangeAttempt(current.get());
		current.set(attempt);
		return attempt;
	}

	static @Nullable ExchangeAttempt current() {
		return current.get();
	}

	/**
	 * Stops publishing this attempt; an attempt of an enclosing exchange (a call made
	 * from an interceptor) becomes current again.
	 */
	void end() {
		if (current.get() == this) {
			if (this.previous != null) {
				current.set(this.previous);
			}
			else {
				current.remove();
			}
		}
	}

	void onConnection(String client, boolean reused) {
		this.client = client;
		this.reused = reused;
	}

	void onResponseStarted() {
		this.responseStarted = true;
	}

	/**
	 * The library that reported a stale failure for this attempt.
	 * @return the library, or {@code null} when the attempt did not fail on a reused
	 * connection before the response began
	 */
	@Nullable String staleClient() {
		return (this.reused && !this.responseStarted) ? this.client : null;
	}

}
