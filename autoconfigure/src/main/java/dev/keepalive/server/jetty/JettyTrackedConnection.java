package dev.keepalive.server.jetty;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionPolicy;
import dev.keepalive.server.ConnectionState;
import dev.keepalive.server.TrackedConnection;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.server.NegotiatingServerConnection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * A Jetty connection. Whether a request is in progress is tracked per exchange (begun by
 * the request customizer, ended by the stream's completion); whether request headers are
 * arriving is read from the connection's parser, for which Jetty has no event.
 * {@link EndPoint#close()} is safe from any thread.
 */
final class JettyTrackedConnection extends TrackedConnection {

	private static final byte[] REQUEST_TIMEOUT = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
		.getBytes(StandardCharsets.ISO_8859_1);

	private final EndPoint endPoint;

	private volatile Connection connection;

	private volatile boolean upgraded;

	private final AtomicReference<@Nullable KeepAliveHttpStream> exchange = new AtomicReference<>();

	private volatile long lastExchangeEndedNanos;

	JettyTrackedConnection(ConnectionPolicy policy, EndPoint endPoint, Connection connection) {
		super(policy);
		this.endPoint = endPoint;
		this.connection = connection;
		upgradedTo(connection);
	}

	void beginExchange(KeepAliveHttpStream exchange) {
		this.exchange.set(exchange);
	}

	void endExchange(KeepAliveHttpStream exchange) {
		this.lastExchangeEndedNanos = System.nanoTime();
		this.exchange.compareAndSet(exchange, null);
	}

	/**
	 * Whether the connection has had no request in progress and no new request bytes for
	 * at least {@code timeoutNanos}: then it was the server's idle timer that ended it,
	 * since a client that closes later than that finds it already half-closed.
	 */
	boolean idleForAtLeast(long timeoutNanos) {
		if (this.upgraded || this.exchange.get() != null) {
			return false;
		}
		long lastActivity = Math.max(openedNanos(), this.lastExchangeEndedNanos);
		if (readingHeaders()) {
			lastActivity = Math.max(lastActivity, headersStartedNanos());
		}
		return System.nanoTime() - lastActivity >= timeoutNanos;
	}

	@Nullable KeepAliveHttpStream currentExchange() {
		return this.exchange.get();
	}

	/**
	 * A connection took over the endpoint: the first one, then the one negotiated with
	 * ALPN, HTTP/2 (h2c by prior knowledge or upgrade), or a WebSocket.
	 */
	void upgradedTo(Connection connection) {
		this.connection = connection;
		JettyHttp2Session http2 = JettyHttp2Session.of(connection);
		this.upgraded = http2 == null && !(connection instanceof HttpConnection)
				&& !(connection instanceof NegotiatingServerConnection);
		if (http2 != null) {
			http2(http2);
		}
	}

	@Override
	protected ConnectionState serverState() {
		if (this.upgraded) {
			return ConnectionState.UPGRADED;
		}
		KeepAliveHttpStream exchange = this.exchange.get();
		if (exchange != null) {
			return exchange.isAsync() ? ConnectionState.ASYNC : ConnectionState.ACTIVE;
		}
		return readingHeaders() ? ConnectionState.READING_HEADERS : ConnectionState.IDLE;
	}

	private boolean readingHeaders() {
		if (this.connection instanceof HttpConnection httpConnection) {
			HttpParser parser = httpConnection.getParser();
			// the volatile state first: the begin time is written before it leaves START
			return parser.getState() != HttpParser.State.START && parser.inHeaderState();
		}
		return false;
	}

	@Override
	public long headersStartedNanos() {
		return (this.connection instanceof HttpConnection httpConnection)
				? httpConnection.getParser().getBeginNanoTime() : 0;
	}

	@Override
	protected boolean serverHasHadRequest() {
		return this.lastExchangeEndedNanos != 0 || this.exchange.get() != null;
	}

	@Override
	public long idleMillis() {
		// Jetty's own idle clock, restarted as the connection waits for its next request
		return (this.endPoint instanceof IdleTimeout idleTimeout) ? idleTimeout.getIdleFor() : 0;
	}

	@Override
	public boolean isWriteBlocked() {
		// a write the endpoint could not flush waits for the socket to be writable
		return this.endPoint instanceof AbstractEndPoint endPoint && endPoint.getWriteFlusher().isPending();
	}

	@Override
	public long bytesWritten() {
		return (this.connection instanceof HttpConnection httpConnection) ? httpConnection.getBytesOut() : 0;
	}

	@Override
	public @Nullable InetSocketAddress remoteAddress() {
		return (this.endPoint.getRemoteSocketAddress() instanceof InetSocketAddress address) ? address : null;
	}

	@Override
	public boolean closeIfIdle(CloseReason reason) {
		return closeIf(ConnectionState.IDLE, reason);
	}

	@Override
	public boolean closeIfReadingHeaders() {
		// No 408: nothing orders a write from here against the connection's own parsing,
		// so an answer could race a request whose last header byte just arrived.
		return closeIf(ConnectionState.READING_HEADERS, CloseReason.HEADERS_TIMEOUT);
	}

	private boolean closeIf(ConnectionState expected, CloseReason reason) {
		if (state() != expected || !this.endPoint.isOpen()) {
			return false;
		}
		// one closing for another reason (a response that said close, now waiting for
		// its client to close) is closed too, and counted under that reason
		boolean recorded = closingFor(reason);
		if (http2() instanceof JettyHttp2Session http2) {
			// closed once the final GOAWAY is out
			http2.goAway(this.endPoint::close);
		}
		else {
			this.endPoint.close();
		}
		return recorded;
	}

	@Override
	protected void abort(boolean requestTimeout) {
		if (!requestTimeout) {
			this.endPoint.close();
			return;
		}
		try {
			// the application thread waits for body bytes: nothing else is writing
			this.endPoint.write(Callback.from(this.endPoint::close, (failure) -> this.endPoint.close()),
					ByteBuffer.wrap(REQUEST_TIMEOUT));
		}
		catch (RuntimeException ex) {
			// a write started after all (WritePendingException): just close
			this.endPoint.close();
		}
	}

	@Override
	protected void reset() {
		// through the TLS endpoint, if any, to the socket
		Object transport = this.endPoint.getTransport();
		while (transport instanceof EndPoint endPoint) {
			transport = endPoint.getTransport();
		}
		if (transport instanceof NetworkChannel channel) {
			try {
				channel.setOption(StandardSocketOptions.SO_LINGER, 0);
			}
			catch (IOException ex) {
				// already closed
			}
		}
		this.endPoint.close();
	}

	@Override
	protected void close() {
		this.endPoint.close();
	}

}
