package dev.keepalive.server.netty;

import java.util.concurrent.TimeUnit;

import dev.keepalive.server.CloseReason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Sees a connection's bytes, below the HTTP codec: the first byte of each request starts
 * its headers clock, and the idle timeout runs from the end of each exchange (or the
 * connection's opening) to the next request's first byte. Reactor Netty's own idle
 * timeout runs until a request's headers are complete, one clock for both.
 */
final class ConnectionActivity extends ChannelDuplexHandler {

	static final String NAME = "keepalive.activity";

	private final NettyTrackedConnection connection;

	private final long idleTimeoutNanos;

	ConnectionActivity(NettyTrackedConnection connection, long idleTimeoutNanos) {
		this.connection = connection;
		this.idleTimeoutNanos = idleTimeoutNanos;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.connection.bytesContext(ctx);
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) throws Exception {
		scheduleIdleCheck(ctx, this.idleTimeoutNanos);
		super.channelActive(ctx);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
		if (msg instanceof ByteBuf buffer && buffer.isReadable()) {
			this.connection.bytesRead();
		}
		super.channelRead(ctx, msg);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		if (msg instanceof ByteBuf buffer) {
			this.connection.bytesWritten(buffer.readableBytes());
		}
		super.write(ctx, msg, promise);
	}

	/**
	 * One check at a time, as Netty's own idle handler does: rescheduled for what is left
	 * of the timeout rather than cancelled and rescheduled on every exchange.
	 */
	private void scheduleIdleCheck(ChannelHandlerContext ctx, long delayNanos) {
		ctx.executor().schedule(() -> checkIdle(ctx), delayNanos, TimeUnit.NANOSECONDS);
	}

	private void checkIdle(ChannelHandlerContext ctx) {
		if (!ctx.channel().isActive()) {
			return;
		}
		long left = this.idleTimeoutNanos - this.connection.idleNanos(System.nanoTime());
		if (left > 0) {
			scheduleIdleCheck(ctx, left);
			return;
		}
		this.connection.closingFor(CloseReason.IDLE_TIMEOUT);
		this.connection.closeIdle();
	}

}
