package dev.keepalive.server.netty;

import java.net.SocketAddress;
import java.util.List;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionState;
import dev.keepalive.server.ConnectorConnections;
import dev.keepalive.server.ConnectorId;
import dev.keepalive.server.ServerConnections;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import org.jspecify.annotations.Nullable;
import reactor.netty.Connection;
import reactor.netty.ConnectionObserver;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerState;

/**
 * Feeds the server's {@link ConnectorConnections} from Reactor Netty: each new
 * connection's pipeline gets Keepalive's handlers, each exchange's end is seen through
 * Reactor Netty's connection observer, and the connector registers each time it binds
 * (Spring Boot binds again when the application context is restarted).
 */
final class NettyConnectionTracker {

	/** Reactor Netty's handlers that come first, by protocol: see channelInitialized. */
	private static final List<String> FIRST_HTTP_HANDLERS = List.of(NettyPipeline.HttpCodec,
			NettyPipeline.H2CUpgradeHandler, NettyPipeline.H2OrHttp11Codec);

	private static final List<String> HTTP1_HANDLERS = List.of(RequestBodyTimer.NAME, KeepAliveAdvertiser.NAME,
			ExchangeDecision.NAME);

	private final ServerConnections server;

	private final ConnectorConnections connections;

	private final @Nullable Integer maxRequests;

	private final boolean secure;

	private final long idleTimeoutNanos;

	private volatile @Nullable NettyManagedConnector registered;

	private volatile KeepAliveValue keepAliveValue = new KeepAliveValue(-1, null);

	NettyConnectionTracker(ServerConnections server, ConnectorConnections connections, @Nullable Integer maxRequests,
			boolean secure) {
		this.server = server;
		this.connections = connections;
		this.maxRequests = maxRequests;
		this.secure = secure;
		this.idleTimeoutNanos = server.policy().settings().idleTimeout().toNanos();
	}

	/**
	 * A connection was accepted; its pipeline has Reactor Netty's HTTP handlers.
	 */
	void channelInitialized(ConnectionObserver observer, Channel channel, @Nullable SocketAddress remoteAddress) {
		ChannelPipeline pipeline = channel.pipeline();
		String codec = firstHttpHandler(pipeline);
		if (codec != null) {
			track(channel, codec);
		}
		NettyManagedConnector connector = this.registered;
		if (connector != null) {
			connector.initialized(channel);
		}
	}

	/**
	 * The first of Reactor Netty's HTTP handlers: the codec, or, with HTTP/2 enabled,
	 * what settles the protocol (the h2c preface or upgrade, ALPN).
	 */
	private static @Nullable String firstHttpHandler(ChannelPipeline pipeline) {
		for (String name : FIRST_HTTP_HANDLERS) {
			if (pipeline.get(name) != null) {
				return name;
			}
		}
		return null;
	}

	private void track(Channel channel, String firstHttpHandler) {
		ChannelPipeline pipeline = channel.pipeline();
		NettyTrackedConnection connection = new NettyTrackedConnection(this.server.policy(), channel);
		pipeline.addBefore(firstHttpHandler, ConnectionActivity.NAME,
				new ConnectionActivity(connection, this.idleTimeoutNanos));
		if (pipeline.get(NettyPipeline.HttpCodec) instanceof Http2FrameCodec codec) {
			speaksHttp2(connection, pipeline, codec);
		}
		else {
			if (pipeline.get(NettyPipeline.HttpTrafficHandler) != null) {
				speaksHttp1(connection, pipeline);
			}
			if (!NettyPipeline.HttpCodec.equals(firstHttpHandler)) {
				pipeline.addBefore(NettyPipeline.ReactiveBridge, ProtocolSwitch.NAME,
						new ProtocolSwitch(connection, this));
			}
		}
		this.connections.opened(channel, connection);
		channel.closeFuture().addListener((future) -> this.connections.closed(channel, CloseReason.CLIENT));
	}

	/**
	 * The connection speaks HTTP/1.1, or may: Keepalive's handlers go around Reactor
	 * Netty's {@code HttpTrafficHandler}.
	 */
	void speaksHttp1(NettyTrackedConnection connection, ChannelPipeline pipeline) {
		pipeline.addBefore(NettyPipeline.HttpTrafficHandler, RequestBodyTimer.NAME,
				new RequestBodyTimer(connection, this.server.policy().settings().minRequestBodyRate() > 0));
		pipeline.addBefore(NettyPipeline.HttpTrafficHandler, KeepAliveAdvertiser.NAME,
				new KeepAliveAdvertiser(connection, this));
		pipeline.addAfter(NettyPipeline.HttpTrafficHandler, ExchangeDecision.NAME,
				new ExchangeDecision(connection, this.server, (this.maxRequests != null) ? this.maxRequests : 0));
	}

	/**
	 * The connection speaks HTTP/2: its streams are followed, the HTTP/1.1 handlers go.
	 */
	void speaksHttp2(NettyTrackedConnection connection, ChannelPipeline pipeline, Http2FrameCodec codec) {
		for (String name : HTTP1_HANDLERS) {
			if (pipeline.get(name) != null) {
				pipeline.remove(name);
			}
		}
		connection.speaksHttp2(codec);
	}

	/**
	 * Reactor Netty's connection observer: {@code DISCONNECTING} is the end of an
	 * exchange, the connection itself may stay open. An HTTP/2 stream has a connection of
	 * its own, whose parent is the tracked one.
	 */
	void stateChanged(Connection connection, ConnectionObserver.State state) {
		if (connection.channel() instanceof Http2StreamChannel stream) {
			streamStateChanged(connection, stream, state);
			return;
		}
		if (state != ConnectionObserver.State.DISCONNECTING) {
			return;
		}
		if (this.connections.get(connection.channel()) instanceof NettyTrackedConnection tracked) {
			tracked.exchangeEnded();
			if (this.server.closesAfterExchange() && tracked.committedKeepAlive()
					&& tracked.state() != ConnectionState.UPGRADED) {
				tracked.closeAfterCommittedKeepAlive();
			}
		}
	}

	/**
	 * A stream's exchange was set up, its request arrived, or its exchange ended (its
	 * response is complete).
	 */
	private void streamStateChanged(Connection connection, Http2StreamChannel stream, ConnectionObserver.State state) {
		// the stream's exchange, not the stream channel's own end, which follows it
		if (!(connection instanceof HttpServerRequest request)
				|| !(this.connections.get(stream.parent()) instanceof NettyTrackedConnection tracked)) {
			return;
		}
		if (state == ConnectionObserver.State.CONFIGURED) {
			// Reactor Netty's handler is about to pass the request on: through this one.
			// Without that handler (never seen) a drain from the stream would not know
			// its caller, which is better than failing the stream
			if (stream.pipeline().get(NettyPipeline.HttpTrafficHandler) != null) {
				stream.pipeline()
					.addAfter(NettyPipeline.HttpTrafficHandler, StreamCaller.NAME, new StreamCaller(tracked));
			}
		}
		else if (state == HttpServerState.REQUEST_RECEIVED) {
			tracked.http2RequestStarted(this.server);
			if (this.server.recordsNewWork()) {
				this.server.requestArrived(tracked, ExchangeDecision.path(request.uri()));
			}
		}
		else if (state == ConnectionObserver.State.DISCONNECTING) {
			this.server.responseCommitted(tracked);
		}
	}

	/**
	 * The server is listening: register it, in place of the binding before, if any.
	 */
	void bound(DisposableServer bound) {
		NettyManagedConnector previous = this.registered;
		if (previous != null) {
			this.server.unregister(previous);
		}
		NettyAcceptQueue acceptQueue = new NettyAcceptQueue();
		bound.channel().pipeline().addFirst(NettyAcceptQueue.NAME, acceptQueue);
		NettyManagedConnector connector = new NettyManagedConnector(new ConnectorId(bound.port(), scheme()),
				this.connections, bound.channel(), acceptQueue, this.server.policy().settings(), this.maxRequests);
		this.registered = connector;
		this.server.register(connector);
	}

	private String scheme() {
		return this.secure ? "https" : "http";
	}

	/**
	 * The {@code Keep-Alive} value for the idle timeout now in force, shorter under
	 * connection pressure: computed again only when that changes.
	 */
	@Nullable String keepAliveHeaderValue() {
		long idleTimeoutMillis = this.connections.pressure()
			.idleTimeoutMillis(this.server.policy().settings().idleTimeout().toMillis());
		KeepAliveValue value = this.keepAliveValue;
		if (value.idleTimeoutMillis() != idleTimeoutMillis) {
			value = new KeepAliveValue(idleTimeoutMillis, this.server.policy().keepAliveHeaderValue(idleTimeoutMillis));
			this.keepAliveValue = value;
		}
		return value.header();
	}

	private record KeepAliveValue(long idleTimeoutMillis, @Nullable String header) {

	}

}
