package dev.keepalive.server.netty;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionPolicy;
import dev.keepalive.server.ConnectionState;
import dev.keepalive.server.TrackedConnection;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http2.Http2FrameCodec;
import org.jspecify.annotations.Nullable;
import reactor.netty.channel.ChannelOperations;
import reactor.netty.http.websocket.WebsocketInbound;

/**
 * A Reactor Netty connection. An exchange is in progress while Reactor Netty has
 * operations bound to the channel; request headers are arriving when bytes have come in
 * since the last exchange and no operations are bound yet. Fields are written on the
 * channel's event loop; anything that changes the connection from another thread runs
 * there too.
 */
final class NettyTrackedConnection extends TrackedConnection {

	private static final byte[] REQUEST_TIMEOUT = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
		.getBytes(StandardCharsets.ISO_8859_1);

	private final Channel channel;

	private volatile @Nullable ChannelHandlerContext bytes;

	private volatile long headersStartedNanos;

	private volatile long lastActivityNanos;

	private volatile long requests;

	private volatile long bytesWritten;

	private volatile boolean committedKeepAlive;

	private volatile boolean bodyIncoming;

	NettyTrackedConnection(ConnectionPolicy policy, Channel channel) {
		super(policy);
		this.channel = channel;
		this.lastActivityNanos = openedNanos();
	}

	Channel channel() {
		return this.channel;
	}

	/**
	 * The context of the handler that sees the connection's bytes, below the HTTP codec:
	 * where a raw answer is written.
	 */
	void bytesContext(ChannelHandlerContext context) {
		this.bytes = context;
	}

	/**
	 * Request bytes arrived: the first ones since the last exchange start a request line.
	 */
	void bytesRead() {
		if (!isHttp2() && this.headersStartedNanos == 0 && !inExchange()) {
			this.headersStartedNanos = System.nanoTime();
		}
	}

	void bytesWritten(int count) {
		this.bytesWritten += count;
	}

	/**
	 * The connection now speaks HTTP/2: its streams are followed from here on. On the
	 * event loop.
	 */
	void speaksHttp2(Http2FrameCodec codec) {
		this.headersStartedNanos = 0;
		this.lastActivityNanos = System.nanoTime();
		http2(new NettyHttp2Session(this, codec));
	}

	/**
	 * The last HTTP/2 stream open on the connection has closed: it is idle from now.
	 */
	void streamsEnded() {
		this.lastActivityNanos = System.nanoTime();
	}

	/**
	 * A request's headers are complete and its exchange begins.
	 */
	void exchangeStarted() {
		this.headersStartedNanos = 0;
		this.requests++;
	}

	/**
	 * The requests received on the connection so far.
	 */
	long requests() {
		return this.requests;
	}

	void responseCommitted(boolean keepAlive) {
		this.committedKeepAlive = keepAlive;
	}

	boolean committedKeepAlive() {
		return this.committedKeepAlive;
	}

	/**
	 * Whether the body of the connection's last request is still arriving: its exchange
	 * may be over (answered without reading it all), the connection is not idle.
	 */
	void bodyIncoming(boolean incoming) {
		if (this.bodyIncoming != incoming) {
			this.bodyIncoming = incoming;
			if (!incoming) {
				this.lastActivityNanos = System.nanoTime();
			}
		}
	}

	void exchangeEnded() {
		long now = System.nanoTime();
		this.lastActivityNanos = now;
		if (this.bodyIncoming) {
			// answered: the server itself now waits for the rest, to discard it
			requestBodyRate().awaiting(now);
		}
		else {
			requestBodyRate().requestEnded();
		}
	}

	/**
	 * Whether the server waits for the client's body bytes: it reads them while the
	 * application keeps up, or to discard them once the exchange is over.
	 */
	boolean awaitsBody() {
		return this.channel.config().isAutoRead() || ChannelOperations.get(this.channel) == null;
	}

	/**
	 * How long the connection has had nothing to do, in nanoseconds: 0 while an exchange
	 * is in progress or a request is arriving.
	 */
	long idleNanos(long nowNanos) {
		if (isHttp2()) {
			return (streams() > 0) ? 0 : nowNanos - this.lastActivityNanos;
		}
		if (inExchange() || this.headersStartedNanos != 0) {
			return 0;
		}
		return nowNanos - this.lastActivityNanos;
	}

	private boolean inExchange() {
		return this.bodyIncoming || ChannelOperations.get(this.channel) != null;
	}

	@Override
	protected ConnectionState serverState() {
		ChannelOperations<?, ?> operations = ChannelOperations.get(this.channel);
		if (operations instanceof WebsocketInbound) {
			return ConnectionState.UPGRADED;
		}
		if (operations != null || this.bodyIncoming) {
			// no thread is held by a Reactor Netty exchange, but the request is served
			// (or, answered, still sends its body)
			return ConnectionState.ACTIVE;
		}
		return (this.headersStartedNanos != 0) ? ConnectionState.READING_HEADERS : ConnectionState.IDLE;
	}

	@Override
	public long headersStartedNanos() {
		return this.headersStartedNanos;
	}

	@Override
	protected boolean serverHasHadRequest() {
		return this.requests > 0;
	}

	@Override
	public long idleMillis() {
		return idleNanos(System.nanoTime()) / 1_000_000;
	}

	@Override
	public boolean isWriteBlocked() {
		return this.channel.isActive() && !this.channel.isWritable();
	}

	@Override
	public long bytesWritten() {
		return this.bytesWritten;
	}

	@Override
	public @Nullable InetSocketAddress remoteAddress() {
		return (this.channel.remoteAddress() instanceof InetSocketAddress address) ? address : null;
	}

	@Override
	public boolean closeIfIdle(CloseReason reason) {
		if (state() != ConnectionState.IDLE || !this.channel.isActive()) {
			return false;
		}
		// checked again on the event loop, where a request cannot arrive meanwhile
		this.channel.eventLoop().execute(() -> {
			if (state() == ConnectionState.IDLE) {
				closingFor(reason);
				closeIdle();
			}
		});
		return true;
	}

	/**
	 * Close the idle connection; an HTTP/2 one after its final GOAWAY.
	 */
	void closeIdle() {
		if (http2() instanceof NettyHttp2Session http2) {
			http2.close();
		}
		else {
			this.channel.close();
		}
	}

	@Override
	public boolean closeIfReadingHeaders() {
		if (state() != ConnectionState.READING_HEADERS || !this.channel.isActive()) {
			return false;
		}
		this.channel.eventLoop().execute(() -> {
			if (state() == ConnectionState.READING_HEADERS) {
				closingFor(CloseReason.HEADERS_TIMEOUT);
				answerRequestTimeout();
			}
		});
		return true;
	}

	/**
	 * Answer {@code 408} and close: on the event loop, below the codec, where nothing
	 * else writes meanwhile.
	 */
	private void answerRequestTimeout() {
		ChannelHandlerContext bytes = this.bytes;
		if (bytes != null) {
			bytes.writeAndFlush(Unpooled.wrappedBuffer(REQUEST_TIMEOUT)).addListener(ChannelFutureListener.CLOSE);
		}
		else {
			this.channel.close();
		}
	}

	/**
	 * The response went out promising keep-alive before the drain began: end the
	 * connection after it. A half-close gives the client EOF after the body without
	 * resetting a request it may already have sent; reading stops, so that no such
	 * request is served.
	 */
	void closeAfterCommittedKeepAlive() {
		closingFor(CloseReason.DRAIN_AFTER_RESPONSE);
		this.channel.config().setAutoRead(false);
		if (this.channel instanceof DuplexChannel duplex) {
			duplex.shutdownOutput();
		}
		else {
			this.channel.close();
		}
	}

	@Override
	protected void abort(boolean requestTimeout) {
		if (requestTimeout) {
			// the response has not started: nothing of it is on its way down the pipeline
			this.channel.eventLoop().execute(this::answerRequestTimeout);
		}
		else {
			this.channel.close();
		}
	}

	@Override
	protected void reset() {
		this.channel.config().setOption(ChannelOption.SO_LINGER, 0);
		this.channel.close();
	}

	@Override
	protected void close() {
		ChannelHandlerContext bytes = this.bytes;
		if (isHttp2() && bytes != null) {
			// below the HTTP/2 codec, whose own close waits for the open streams (without
			// limit under Spring Boot's graceful shutdown)
			bytes.close();
		}
		else {
			this.channel.close();
		}
	}

}
