package dev.keepalive.server;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

	private volatile @Nullable Http2Session http2;

	/** Guarded by this. */
	private long http2Requests;

	/** The threads handling HTTP/2 streams, several at a time; created when needed. */
	private volatile @Nullable Set<Thread> streamThreads;

	private final RequestBodyRate requestBodyRate = new RequestBodyRate();

	/** Set on an exchange in flight when a drain with no drain delay began. */
	private volatile boolean inFlightWhenDrainBegan;

	/**
	 * Create a connection opened now.
	 * @param policy the policy that sets its maximum age
	 */
	protected TrackedConnection(ConnectionPolicy policy) {
		this.openedNanos = System.nanoTime();
		this.maxAgeNanos = policy.jitteredMaxAgeNanos();
	}

	/**
	 * What the connection is doing now: for HTTP/2, {@link ConnectionState#ACTIVE} while
	 * at least one stream is open, else {@link ConnectionState#IDLE}.
	 * @return the state
	 */
	public final ConnectionState state() {
		Http2Session http2 = this.http2;
		if (http2 != null) {
			return (http2.streams() > 0) ? ConnectionState.ACTIVE : ConnectionState.IDLE;
		}
		return serverState();
	}

	/**
	 * What the connection is doing now, as its server reports it, when it does not speak
	 * HTTP/2.
	 * @return the state
	 */
	protected abstract ConnectionState serverState();

	/**
	 * When the first byte of the request line now being received arrived, as
	 * {@link System#nanoTime()}. Only meaningful in
	 * {@link ConnectionState#READING_HEADERS}.
	 * @return the time of the first byte
	 */
	public abstract long headersStartedNanos();

	/**
	 * Whether a request has arrived on the connection since it opened. One that has had
	 * none is new: its client is about to send its first.
	 * @return whether it has had a request
	 */
	public final boolean hasHadRequest() {
		synchronized (this) {
			if (this.http2Requests > 0) {
				return true;
			}
		}
		return serverHasHadRequest();
	}

	/**
	 * Whether an HTTP/1 request has arrived on the connection, as its server reports it.
	 * @return whether it has had a request
	 */
	protected abstract boolean serverHasHadRequest();

	/**
	 * How long the connection has sent and received nothing, by its server's own clock:
	 * for an idle connection, how long it has waited for its next request.
	 * @return the time in milliseconds
	 */
	public abstract long idleMillis();

	/**
	 * Whether an HTTP/1.1 response write waits for the socket to take more: its send
	 * buffer is full because the client has not taken what was sent.
	 * @return whether one waits
	 */
	public abstract boolean isWriteBlocked();

	/**
	 * The response bytes the server has handed to the socket: on the exchange in progress
	 * at least (Tomcat counts per response, Jetty per connection). Only changes within an
	 * exchange are used.
	 * @return the bytes
	 */
	public abstract long bytesWritten();

	/**
	 * The client's end of the connection.
	 * @return its address, {@code null} once closed
	 */
	public abstract @Nullable InetSocketAddress remoteAddress();

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
	 * The connection now speaks HTTP/2 (h2 negotiated with ALPN, h2c by prior knowledge
	 * or upgrade). Server implementations call this once the HTTP/2 session exists.
	 * @param http2 the session
	 */
	protected final void http2(Http2Session http2) {
		this.http2 = http2;
	}

	/**
	 * The HTTP/2 session, if the connection speaks HTTP/2.
	 * @return the session, or {@code null}
	 */
	protected final @Nullable Http2Session http2() {
		return this.http2;
	}

	/**
	 * Whether the connection speaks HTTP/2.
	 * @return whether it is an HTTP/2 connection
	 */
	public final boolean isHttp2() {
		return this.http2 != null;
	}

	/**
	 * The HTTP/2 streams open on the connection.
	 * @return the count, 0 for HTTP/1
	 */
	public final int streams() {
		Http2Session http2 = this.http2;
		return (http2 != null) ? http2.streams() : 0;
	}

	/**
	 * HTTP/2: a graceful GOAWAY (see {@link Http2Session#goAwayGracefully()}). Nothing
	 * for HTTP/1, whose responses say close.
	 */
	final void goAwayGracefully() {
		Http2Session http2 = this.http2;
		if (http2 != null) {
			http2.goAwayGracefully();
		}
	}

	/**
	 * HTTP/2: the final GOAWAY (see {@link Http2Session#goAway()}). Nothing for HTTP/1.
	 */
	final void goAway() {
		Http2Session http2 = this.http2;
		if (http2 != null) {
			http2.goAway();
		}
	}

	/**
	 * Count a request (a stream) on an HTTP/2 connection; server implementations call
	 * this as each one starts. The one that must close the connection (the last one
	 * allowed, or one past the maximum age) retires it. During a drain the stream is
	 * served and its connection told to go (a graceful GOAWAY), as an HTTP/1.1 response
	 * says {@code Connection: close}: a connection opened during the drain delay serves
	 * its first stream, like an HTTP/1.1 one its first request.
	 * @param server the connections, whose rules apply
	 */
	public final void http2RequestStarted(ServerConnections server) {
		Http2Session http2 = this.http2;
		long requests;
		synchronized (this) {
			requests = ++this.http2Requests;
		}
		Integer maxRequests = server.policy().settings().maxRequestsPerConnection();
		CloseReason reason = server.closeReason(this, requests, (maxRequests != null) ? maxRequests : 0);
		if (http2 == null || reason == null || !closingFor(reason)) {
			return;
		}
		if (reason == CloseReason.DRAIN_AFTER_RESPONSE) {
			http2.goAwayGracefully();
		}
		else {
			http2.retire();
		}
	}

	/**
	 * Mark the exchange in flight, if there is one, as the drain begins: from now on the
	 * connection's responses say {@code Connection: close}.
	 */
	final void markExchangeInFlight() {
		ConnectionState state = state();
		if (!isHttp2() && (state == ConnectionState.ACTIVE || state == ConnectionState.ASYNC)) {
			this.inFlightWhenDrainBegan = true;
		}
	}

	/**
	 * Whether the connection had an exchange in flight when the drain began.
	 * @return whether it had
	 */
	final boolean exchangeInFlightWhenDrainBegan() {
		return this.inFlightWhenDrainBegan;
	}

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
		Set<Thread> streamThreads = this.streamThreads;
		if (streamThreads != null) {
			streamThreads.forEach(Thread::interrupt);
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
	 * How fast the client sends the body of the HTTP/1.1 request in progress, fed by the
	 * server implementation.
	 * @return the rate
	 */
	public final RequestBodyRate requestBodyRate() {
		return this.requestBodyRate;
	}

	/**
	 * End the request in progress, whose body arrives slower than the minimum rate:
	 * {@code 408 Request Timeout} unless its response has started, then close.
	 */
	final void endRequestBodyTooSlow() {
		closingFor(CloseReason.BODY_RATE);
		// not again on the next sweep, while the server notices
		this.requestBodyRate.requestEnded();
		abort(!this.requestBodyRate.isResponseStarted());
	}

	/**
	 * Close the connection, whose client takes the response slower than the minimum rate,
	 * with a reset: what it has not taken is discarded, not kept by the kernel for a
	 * client that will not read it.
	 */
	final void endResponseTooSlow() {
		closingFor(CloseReason.RESPONSE_RATE);
		reset();
	}

	/**
	 * Close the connection at once with a TCP reset, while a thread may be writing to it:
	 * that thread's write fails.
	 */
	protected abstract void reset();

	/**
	 * Close the connection while a thread may be handling its request: that thread's next
	 * read or write fails, and the server closes the connection there.
	 * @param requestTimeout whether to answer {@code 408 Request Timeout} first (the
	 * response has not started)
	 */
	protected abstract void abort(boolean requestTimeout);

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
	 * Whether the connection has been closed regardless of what it was doing.
	 * @return whether it was force-closed
	 */
	public final boolean isForceClosed() {
		return this.closeReason.get() == CloseReason.FORCED;
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
		if (isHttp2()) {
			streamThreads().add(Thread.currentThread());
		}
		else {
			this.handlerThread = Thread.currentThread();
		}
	}

	/**
	 * Mark this connection as the one whose request the current thread works on, like
	 * {@link #bindToCurrentThread()}, for a thread that serves many connections (an event
	 * loop): a forced close does not interrupt it. End with
	 * {@link #unbindFromCurrentThread()}.
	 */
	public final void bindToCurrentThreadOnly() {
		CURRENT.set(this);
	}

	/**
	 * End {@link #bindToCurrentThread()}.
	 */
	public final void unbindFromCurrentThread() {
		Set<Thread> streamThreads = this.streamThreads;
		if (streamThreads != null) {
			streamThreads.remove(Thread.currentThread());
		}
		this.handlerThread = null;
		// set, not remove: the thread's entry stays, and the next bind allocates none
		CURRENT.set(null);
	}

	private Set<Thread> streamThreads() {
		Set<Thread> threads = this.streamThreads;
		if (threads == null) {
			synchronized (this) {
				threads = this.streamThreads;
				if (threads == null) {
					threads = ConcurrentHashMap.newKeySet();
					this.streamThreads = threads;
				}
			}
		}
		return threads;
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
