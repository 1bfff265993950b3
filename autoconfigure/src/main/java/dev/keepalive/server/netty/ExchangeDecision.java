package dev.keepalive.server.netty;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ServerConnections;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Sits above Reactor Netty's {@code HttpTrafficHandler}: sees each request as its
 * exchange begins, and decides whether each response closes its connection before that
 * handler does, which then closes the connection after the response.
 */
final class ExchangeDecision extends ChannelDuplexHandler {

	static final String NAME = "keepalive.exchange";

	private final NettyTrackedConnection connection;

	private final ServerConnections server;

	private final int maxRequests;

	ExchangeDecision(NettyTrackedConnection connection, ServerConnections server, int maxRequests) {
		this.connection = connection;
		this.server = server;
		this.maxRequests = maxRequests;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
		if (msg instanceof HttpRequest request) {
			this.connection.exchangeStarted();
			if (this.server.recordsNewWork()) {
				this.server.requestArrived(this.connection, path(request.uri()));
			}
		}
		// the application handles the request (its headers, its body) in this call: a
		// drain it starts, here or on a scheduler (see SchedulerCallerPropagation),
		// knows its caller
		this.connection.bindToCurrentThreadOnly();
		try {
			super.channelRead(ctx, msg);
		}
		finally {
			this.connection.unbindFromCurrentThread();
		}
	}

	static String path(String uri) {
		int query = uri.indexOf('?');
		return (query >= 0) ? uri.substring(0, query) : uri;
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		if (msg instanceof HttpResponse response && isFinalOrUpgrade(response)) {
			this.server.responseCommitted(this.connection);
			CloseReason reason = this.server.closeReason(this.connection, this.connection.requests(), this.maxRequests);
			if (reason != null && response.status().code() != 101) {
				this.connection.closingFor(reason);
				HttpUtil.setKeepAlive(response, false);
			}
		}
		super.write(ctx, msg, promise);
	}

	static boolean isFinalOrUpgrade(HttpResponse response) {
		int status = response.status().code();
		return status >= 200 || status == 101;
	}

}
