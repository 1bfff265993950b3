package dev.keepalive.server;

/**
 * How fast the client sends the body of the request in progress on a connection, measured
 * over the time the server waits for it: time the application spends elsewhere (handling,
 * or reading data the client already sent) is the application's, not the client's, and
 * does not count.
 * <p>
 * Server implementations call {@link #requestStarted()} as each request begins,
 * {@link #awaiting} when the application asks for body bytes, {@link #read} with what it
 * got, and {@link #responseStarted()} when the response is committed, all on the thread
 * handling the request; the sweeper reads the rate from another.
 */
public final class RequestBodyRate {

	private volatile long bytes;

	private volatile long waitedNanos;

	/** When the current wait for body bytes began, 0 when not waiting. */
	private volatile long waitingSinceNanos;

	private volatile boolean responseStarted;

	/**
	 * A new request begins: nothing read, nothing waited for.
	 */
	public void requestStarted() {
		// written only when set: most requests have no body, and every volatile write
		// costs a fence on the request path
		if (this.waitingSinceNanos != 0) {
			this.waitingSinceNanos = 0;
		}
		if (this.bytes != 0 || this.waitedNanos != 0) {
			this.bytes = 0;
			this.waitedNanos = 0;
		}
		this.responseStarted = false;
	}

	/**
	 * The application asks for body bytes and may have to wait for them.
	 * @param nowNanos {@link System#nanoTime()}
	 */
	public void awaiting(long nowNanos) {
		if (this.waitingSinceNanos == 0) {
			this.waitingSinceNanos = nowNanos | 1;
		}
	}

	/**
	 * A read of the body returned.
	 * @param count the bytes it returned: 0 for none yet (a non-blocking read, still
	 * waiting), negative at the end of the body
	 * @param nowNanos {@link System#nanoTime()}
	 */
	public void read(long count, long nowNanos) {
		if (count == 0) {
			return;
		}
		long since = this.waitingSinceNanos;
		if (since != 0) {
			this.waitedNanos += nowNanos - since;
			this.waitingSinceNanos = 0;
		}
		if (count > 0) {
			this.bytes += count;
		}
	}

	/**
	 * The request's body is no longer read: the request is over.
	 */
	public void requestEnded() {
		this.waitingSinceNanos = 0;
	}

	/**
	 * The response has been committed: too late to answer {@code 408}.
	 */
	public void responseStarted() {
		this.responseStarted = true;
	}

	boolean isResponseStarted() {
		return this.responseStarted;
	}

	/**
	 * Whether the server is waiting for body bytes and, having waited longer than the
	 * grace in all, has received them slower than the minimum rate.
	 */
	boolean tooSlow(long nowNanos, long minBytesPerSecond, long graceNanos) {
		long since = this.waitingSinceNanos;
		if (since == 0) {
			return false;
		}
		long waited = this.waitedNanos + (nowNanos - since);
		return waited >= graceNanos && this.bytes * 1_000_000_000.0 / waited < minBytesPerSecond;
	}

}
