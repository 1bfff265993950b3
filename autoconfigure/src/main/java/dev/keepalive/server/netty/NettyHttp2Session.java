package dev.keepalive.server.netty;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.keepalive.server.Http2Session;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * The HTTP/2 side of a Reactor Netty connection: its open streams, counted by a listener
 * on Netty's HTTP/2 connection, and its two GOAWAY frames, written through the frame
 * codec, which sets the last stream id. Netty's own graceful close sends no GOAWAY of its
 * own once one was sent, and waits for the open streams.
 */
final class NettyHttp2Session extends Http2ConnectionAdapter implements Http2Session {

	private static final byte[] DRAINING = "draining".getBytes(StandardCharsets.US_ASCII);

	private final NettyTrackedConnection connection;

	private final Channel channel;

	private final Http2Connection http2;

	/**
	 * Netty's count, copied on the event loop as it changes, for other threads to read.
	 */
	private volatile int streams;

	private final AtomicBoolean gracefulSent = new AtomicBoolean();

	private final AtomicBoolean finalSent = new AtomicBoolean();

	private volatile boolean retiring;

	/**
	 * Start following the connection's streams; on its event loop. Streams already active
	 * (the one an h2c upgrade request became, possibly still being announced to
	 * listeners, this one included) are counted.
	 */
	NettyHttp2Session(NettyTrackedConnection connection, Http2FrameCodec codec) {
		this.connection = connection;
		this.channel = connection.channel();
		this.http2 = codec.connection();
		this.streams = this.http2.numActiveStreams();
		this.http2.addListener(this);
	}

	@Override
	public void onStreamActive(Http2Stream stream) {
		this.streams = this.http2.numActiveStreams();
	}

	@Override
	public void onStreamClosed(Http2Stream stream) {
		// the stream has left Netty's active streams
		this.streams = this.http2.numActiveStreams();
		if (this.streams == 0) {
			this.connection.streamsEnded();
			if (this.retiring) {
				// after the stream's last frame is handled, not inside it
				this.channel.eventLoop().execute(this::close);
			}
		}
	}

	@Override
	public int streams() {
		return this.streams;
	}

	@Override
	public void goAwayGracefully() {
		if (this.gracefulSent.compareAndSet(false, true)) {
			write(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR, Unpooled.wrappedBuffer(DRAINING))
				.setExtraStreamIds(Integer.MAX_VALUE));
		}
	}

	@Override
	public void goAway() {
		goAwayGracefully();
		if (this.finalSent.compareAndSet(false, true)) {
			// no extra ids: the codec sends the last stream it has seen
			write(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR, Unpooled.wrappedBuffer(DRAINING)));
		}
	}

	private void write(Http2GoAwayFrame frame) {
		this.channel.writeAndFlush(frame);
	}

	@Override
	public void retire() {
		goAwayGracefully();
		this.retiring = true;
		if (this.streams == 0) {
			this.channel.eventLoop().execute(this::close);
		}
	}

	/**
	 * The final GOAWAY, then Netty's graceful close, which waits for streams still open.
	 */
	void close() {
		goAway();
		this.channel.close();
	}

}
