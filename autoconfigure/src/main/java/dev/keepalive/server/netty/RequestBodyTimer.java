package dev.keepalive.server.netty;

import dev.keepalive.server.RequestBodyRate;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Sits below Reactor Netty's {@code HttpTrafficHandler}, which drops the rest of a body
 * that arrives after its response: sees every request body to its end, so that the
 * connection counts as busy until then and, with {@code min-request-body-rate}, its rate
 * is measured. Netty reads a body as it arrives while the application keeps up (reading
 * stops, autoRead off, when it does not), and discards what comes after the response:
 * until the last chunk the server waits for the client, unless reading has stopped.
 */
final class RequestBodyTimer extends ChannelInboundHandlerAdapter {

	static final String NAME = "keepalive.body";

	private final NettyTrackedConnection connection;

	private final boolean timed;

	RequestBodyTimer(NettyTrackedConnection connection, boolean timed) {
		this.connection = connection;
		this.timed = timed;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
		if (msg instanceof HttpRequest request) {
			requestStarted(request);
		}
		else if (msg instanceof HttpContent content) {
			bodyRead(content);
		}
		super.channelRead(ctx, msg);
	}

	private void requestStarted(HttpRequest request) {
		boolean bodyToCome = !(request instanceof FullHttpRequest)
				&& (HttpUtil.getContentLength(request, 0L) > 0 || HttpUtil.isTransferEncodingChunked(request));
		this.connection.bodyIncoming(bodyToCome);
		if (this.timed) {
			RequestBodyRate rate = this.connection.requestBodyRate();
			rate.requestStarted();
			if (bodyToCome) {
				rate.awaiting(System.nanoTime());
			}
		}
	}

	private void bodyRead(HttpContent content) {
		boolean last = content instanceof LastHttpContent;
		if (last) {
			this.connection.bodyIncoming(false);
		}
		if (!this.timed) {
			return;
		}
		RequestBodyRate rate = this.connection.requestBodyRate();
		long now = System.nanoTime();
		rate.read(content.content().readableBytes(), now);
		if (last) {
			rate.read(-1, now);
			rate.requestEnded();
		}
		else if (this.connection.awaitsBody()) {
			rate.awaiting(now);
		}
	}

}
