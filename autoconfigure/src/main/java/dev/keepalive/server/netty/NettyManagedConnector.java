package dev.keepalive.server.netty;

import dev.keepalive.server.ConnectorConnections;
import dev.keepalive.server.ConnectorId;
import dev.keepalive.server.ConnectorLimits;
import dev.keepalive.server.ManagedConnector;
import dev.keepalive.server.ServerKeepAliveSettings;
import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;

/**
 * A Reactor Netty server, bound, that Keepalive manages. Its exchanges hold no thread:
 * closing their connections ends them, nothing is left to wait for.
 */
final class NettyManagedConnector implements ManagedConnector {

	private final ConnectorId id;

	private final ConnectorConnections connections;

	private final Channel listening;

	private final NettyAcceptQueue acceptQueue;

	private final ConnectorLimits limits;

	NettyManagedConnector(ConnectorId id, ConnectorConnections connections, Channel listening,
			NettyAcceptQueue acceptQueue, ServerKeepAliveSettings settings, @Nullable Integer maxRequests) {
		this.id = id;
		this.connections = connections;
		this.listening = listening;
		this.acceptQueue = acceptQueue;
		this.limits = new ConnectorLimits(settings.idleTimeout(), settings.headersTimeout(), maxRequests,
				settings.maxConnectionAge(), null);
	}

	@Override
	public ConnectorId id() {
		return this.id;
	}

	@Override
	public ConnectorConnections connections() {
		return this.connections;
	}

	@Override
	public ConnectorLimits limits() {
		return this.limits;
	}

	/**
	 * A connection has been set up (tracked, or left alone): a drain that stops accepting
	 * need not wait for it.
	 * @param channel the connection
	 */
	void initialized(Channel channel) {
		this.acceptQueue.initialized(channel);
	}

	@Override
	public int stopAccepting() {
		return this.acceptQueue.stopAccepting(this.listening);
	}

}
