package dev.keepalive.server.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import org.jspecify.annotations.Nullable;

/**
 * Sits below Reactor Netty's {@code HttpTrafficHandler}, where a response's
 * {@code Connection} header is final: a response that keeps its connection says for how
 * long ({@code Keep-Alive: timeout=N}, replacing any the application set), one that
 * closes it says nothing of the kind.
 */
final class KeepAliveAdvertiser extends ChannelOutboundHandlerAdapter {

	static final String NAME = "keepalive.advertiser";

	private final NettyTrackedConnection connection;

	private final NettyConnectionTracker tracker;

	KeepAliveAdvertiser(NettyTrackedConnection connection, NettyConnectionTracker tracker) {
		this.connection = connection;
		this.tracker = tracker;
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		if (msg instanceof HttpResponse response && ExchangeDecision.isFinalOrUpgrade(response)) {
			boolean keepAlive = response.status().code() != 101 && HttpUtil.isKeepAlive(response);
			this.connection.responseCommitted(keepAlive);
			String value = keepAlive ? this.tracker.keepAliveHeaderValue() : null;
			advertise(response, value);
		}
		super.write(ctx, msg, promise);
	}

	private static void advertise(HttpResponse response, @Nullable String value) {
		if (value != null) {
			response.headers().set(HttpHeaderNames.KEEP_ALIVE, value);
		}
		else {
			response.headers().remove(HttpHeaderNames.KEEP_ALIVE);
		}
	}

}
