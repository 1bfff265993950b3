package dev.keepalive.server;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

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

	private final AtomicReference<@Nullable CloseReason> closeReason = new AtomicReference<>();

	private final AtomicBoolean counted = new AtomicBoolean();

	private volatile @Nullable Thread handlerThread;

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
	 * Close the connection if, at this moment, it is idle between requests and not
	 * already closing for another reason. Never closes a connection with a request in
	 * progress.
	 * @param reason why it is closed
	 * @return whether it was idle and is now closed for {@code reason}
	 */
	public abstract boolean closeIfIdle(CloseReason reason);

	/**
	 * Close the connection if it is still receiving a request line or headers, answering
	 * {@code 408 Request Timeout} first where the server allows it safely.
	 * @return whether it was closed
	 */
	public abstract boolean closeIfReadingHeaders();

	/**
	 * Close the connection whatever it is doing. Callers record the reason first.
	 */
	protected abstract void close();

	/**
	 * Close the connection whatever it is doing.
	 */
	final void forceClose() {
		closingFor(CloseReason.FORCED);
		close();
	}

	/**
	 * Interrupt the thread handling the connection's request, if any, so that a handler
	 * blocked in a sleep or in I/O gives up: only for connections that are being closed
	 * regardless.
	 */
	final void interruptHandler() {
		Thread thread = this.handlerThread;
		if (thread != null) {
			thread.interrupt();
		}
	}

	/**
	 * When the connection was opened, as {@link System#nanoTime()}.
	 * @return the time it was opened
	 */
	public final long openedNanos() {
		return this.openedNanos;
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
	 * Whether the connection has a maximum age.
	 * @return whether {@code max-connection-age} applies to it
	 */
	public final boolean hasMaxAge() {
		return this.maxAgeNanos >= 0;
	}

	/**
	 * Record why the connection is about to close. The first reason recorded wins, except
	 * {@link CloseReason#FORCED}, which is how it ended whatever was planned.
	 * @param reason the reason
	 * @return whether {@code reason} is now the recorded one
	 */
	public final boolean closingFor(CloseReason reason) {
		if (reason == CloseReason.FORCED) {
			this.closeReason.set(reason);
			return true;
		}
		return this.closeReason.compareAndSet(null, reason) || this.closeReason.get() == reason;
	}

	/**
	 * Whether a reason to close has been recorded.
	 * @return whether the connection is closing
	 */
	public final boolean isClosing() {
		return this.closeReason.get() != null;
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
	 * handling, so that a drain started from a request does not wait for itself, and a
	 * forced close can interrupt the thread.
	 */
	public final void bindToCurrentThread() {
		CURRENT.set(this);
		this.handlerThread = Thread.currentThread();
	}

	/**
	 * End {@link #bindToCurrentThread()}.
	 */
	public final void unbindFromCurrentThread() {
		this.handlerThread = null;
		CURRENT.remove();
	}

	/**
	 * Count the connection as closed, once: true only the first time.
	 */
	final boolean markCounted() {
		return this.counted.compareAndSet(false, true);
	}

	final CloseReason closeReason(CloseReason otherwise) {
		CloseReason reason = this.closeReason.get();
		return (reason != null) ? reason : otherwise;
	}

}
