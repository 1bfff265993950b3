package dev.keepalive.server.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2Frame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import reactor.netty.NettyPipeline;

/**
 * Waits, on a connection of a server with HTTP/2 enabled, for Reactor Netty to settle its
 * protocol, and hands the connection to its tracker once it has: HTTP/2 from the h2c
 * preface, an h2c upgrade or ALPN, HTTP/1.1 from ALPN or a first request that did not
 * upgrade. Reactor Netty rebuilds the pipeline, then passes an event on (ALPN's handshake
 * completion, the preface) or the first frame, all of which come by here.
 */
final class ProtocolSwitch extends ChannelInboundHandlerAdapter {

	static final String NAME = "keepalive.protocol";

	private final NettyTrackedConnection connection;

	private final NettyConnectionTracker tracker;

	ProtocolSwitch(NettyTrackedConnection connection, NettyConnectionTracker tracker) {
		this.connection = connection;
		this.tracker = tracker;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
		if (msg instanceof HttpRequest) {
			// HTTP/1.1 for good: an upgrade request does not come this far
			ctx.pipeline().remove(this);
		}
		else if (msg instanceof Http2Frame) {
			settle(ctx);
		}
		super.channelRead(ctx, msg);
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
		settle(ctx);
		super.userEventTriggered(ctx, evt);
	}

	private void settle(ChannelHandlerContext ctx) {
		ChannelPipeline pipeline = ctx.pipeline();
		Http2FrameCodec codec = pipeline.get(Http2FrameCodec.class);
		if (codec != null) {
			this.tracker.speaksHttp2(this.connection, pipeline, codec);
			pipeline.remove(this);
		}
		else if (pipeline.get(NettyPipeline.HttpTrafficHandler) != null
				&& pipeline.get(ExchangeDecision.NAME) == null) {
			// HTTP/1.1 negotiated with ALPN
			this.tracker.speaksHttp1(this.connection, pipeline);
			pipeline.remove(this);
		}
	}

}
