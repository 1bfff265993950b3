package dev.keepalive.server;

import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

/**
 * One open connection, as its server sees it. Each server implementation supplies a
 * subclass that reads the state from the server and closes the connection the way that
 * server allows from another thread.
 */
public abstract class TrackedConnection {

	private static final ThreadLocal<TrackedConnection> CURRENT = new ThreadLocal<>();

	private final long openedNanos;

	private final long maxAgeNanos;

	private volatile @Nullable CloseReason closeReason;

	private final AtomicBoolean closed = new AtomicBoolean();

	private volatile boolean requestSeen;

	/**
	 * Create a connection opened now.
	 * @param policy the policy that sets its maximum age
	 */
	protected TrackedConnection(ConnectionPolicy policy) {
		this.openedNanos = System.nanoTime();
		this.maxAgeNanos = policy.jitteredMaxAgeNanos();
	}

	/**
	 * What the connection is doing now.
	 * @return the state
	 */
	public abstract ConnectionState state();

	/**
	 * When the first byte of the request line now being received arrived, as
	 * {@link System#nanoTime()}. Only meaningful in
	 * {@link ConnectionState#READING_HEADERS}.
	 * @return the time of the first byte
	 */
	public abstract long headersStartedNanos();

	/**
	 * Close the connection if, at this moment, it is idle between requests. Never closes
	 * a connection with a request in progress.
	 * @param reason why it is closed
	 * @return whether it was idle and is now closed
	 */
	public abstract boolean closeIfIdle(CloseReason reason);

	/**
	 * Close the connection if it is still receiving a request line or headers, answering
	 * {@code 408 Request Timeout} first where the server allows it safely.
	 * @return whether it was closed
	 */
	public abstract boolean closeIfReadingHeaders();

	/**
	 * Close the connection whatever it is doing.
	 * @param reason why it is closed
	 */
	public abstract void forceClose(CloseReason reason);

	/**
	 * Record that a request arrived on the connection. Server implementations call this
	 * when a request begins.
	 */
	protected final void requestSeen() {
		this.requestSeen = true;
	}

	/**
	 * Whether the connection is new: no request has arrived on it yet.
	 * @return whether no request has arrived yet
	 */
	public final boolean isNew() {
		return !this.requestSeen;
	}

	/**
	 * When the connection was opened, as {@link System#nanoTime()}.
	 * @return the time it was opened
	 */
	public final long openedNanos() {
		return this.openedNanos;
	}

	/**
	 * Whether the connection has a maximum age.
	 * @return whether {@code max-connection-age} applies to it
	 */
	public final boolean hasMaxAge() {
		return this.maxAgeNanos >= 0;
	}

	/**
	 * Whether the connection has reached its maximum age (with its jitter).
	 * @param nowNanos the current {@link System#nanoTime()}
	 * @return whether the next response should close it
	 */
	public final boolean maxAgeReached(long nowNanos) {
		return this.maxAgeNanos >= 0 && nowNanos - this.openedNanos >= this.maxAgeNanos;
	}

	/**
	 * Record why the connection is about to close; the first reason recorded wins, except
	 * {@link CloseReason#FORCED}, which is how it ended whatever was planned.
	 * @param reason the reason
	 */
	public final void closingFor(CloseReason reason) {
		if (this.closeReason == null || reason == CloseReason.FORCED) {
			this.closeReason = reason;
		}
	}

	/**
	 * The connection whose request the current thread is handling, if the server has
	 * bound one with {@link #bindToCurrentThread()}.
	 * @return the connection, or {@code null}
	 */
	public static @Nullable TrackedConnection current() {
		return CURRENT.get();
	}

	/**
	 * Mark this connection as the one the current thread handles a request of, until
	 * {@link #unbindFromCurrentThread()}. Server implementations call this around request
	 * handling so that a drain started from a request does not wait for itself.
	 */
	public final void bindToCurrentThread() {
		CURRENT.set(this);
	}

	/**
	 * End {@link #bindToCurrentThread()}.
	 */
	public static void unbindFromCurrentThread() {
		CURRENT.remove();
	}

	/**
	 * Mark the connection closed; true only the first time.
	 */
	final boolean markClosed() {
		return this.closed.compareAndSet(false, true);
	}

	final CloseReason closeReason(CloseReason otherwise) {
		CloseReason reason = this.closeReason;
		return (reason != null) ? reason : otherwise;
	}

}
