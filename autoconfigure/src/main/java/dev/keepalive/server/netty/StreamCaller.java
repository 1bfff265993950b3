package dev.keepalive.server.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits in an HTTP/2 stream's pipeline, behind Reactor Netty's handler that starts the
 * exchange: the application handles the stream's request (its headers, its body) in this
 * handler's calls, with the stream's connection bound to the event loop, as
 * {@link ExchangeDecision} does for HTTP/1.1. A drain started from the request knows its
 * caller, and does not wait for its own connection until the drain's timeout.
 */
final class StreamCaller extends ChannelInboundHandlerAdapter {

	static final String NAME = "keepalive.streamCaller";

	private final NettyTrackedConnection connection;

	StreamCaller(NettyTrackedConnection connection) {
		this.connection = connection;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		this.connection.bindToCurrentThreadOnly();
		try {
			ctx.fireChannelRead(msg);
		}
		finally {
			this.connection.unbindFromCurrentThread();
		}
	}

}
