package dev.keepalive.server.netty;

import java.net.SocketAddress;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionState;
import dev.keepalive.server.ConnectorConnections;
import dev.keepalive.server.ConnectorId;
import dev.keepalive.server.ServerConnections;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import org.jspecify.annotations.Nullable;
import reactor.netty.Connection;
import reactor.netty.ConnectionObserver;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;

/**
 * Feeds the server's {@link ConnectorConnections} from Reactor Netty: each new
 * connection's pipeline gets Keepalive's handlers, each exchange's end is seen through
 * Reactor Netty's connection observer, and the connector registers each time it binds
 * (Spring Boot binds again when the application context is restarted).
 */
final class NettyConnectionTracker {

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
		if (pipeline.get(NettyPipeline.HttpCodec) == null || pipeline.get(NettyPipeline.HttpTrafficHandler) == null) {
			// HTTP/2, or a protocol still to be negotiated with ALPN: not managed
			NettyManagedConnector connector = this.registered;
			if (connector != null) {
				connector.initialized(channel);
			}
			return;
		}
		NettyTrackedConnection connection = new NettyTrackedConnection(this.server.policy(), channel);
		pipeline.addBefore(NettyPipeline.HttpCodec, ConnectionActivity.NAME,
				new ConnectionActivity(connection, this.idleTimeoutNanos));
		pipeline.addBefore(NettyPipeline.HttpTrafficHandler, RequestBodyTimer.NAME,
				new RequestBodyTimer(connection, this.server.policy().settings().minRequestBodyRate() > 0));
		pipeline.addBefore(NettyPipeline.HttpTrafficHandler, KeepAliveAdvertiser.NAME,
				new KeepAliveAdvertiser(connection, this));
		pipeline.addAfter(NettyPipeline.HttpTrafficHandler, ExchangeDecision.NAME,
				new ExchangeDecision(connection, this.server, (this.maxRequests != null) ? this.maxRequests : 0));
		this.connections.opened(channel, connection);
		channel.closeFuture().addListener((future) -> this.connections.closed(channel, CloseReason.CLIENT));
		NettyManagedConnector connector = this.registered;
		if (connector != null) {
			connector.initialized(channel);
		}
	}

	/**
	 * Reactor Netty's connection observer: {@code DISCONNECTING} is the end of an
	 * exchange, the connection itself may stay open.
	 */
	void stateChanged(Connection connection, ConnectionObserver.State state) {
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
