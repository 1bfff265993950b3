package dev.keepalive.server.jetty;

import java.time.Duration;

import dev.keepalive.server.ConnectorConnections;
import dev.keepalive.server.ConnectorId;
import dev.keepalive.server.ConnectorLimits;
import dev.keepalive.server.ManagedConnector;
import dev.keepalive.server.ServerKeepAliveSettings;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * A Jetty connector that Keepalive manages.
 */
final class JettyManagedConnector implements ManagedConnector {

	private final AbstractConnector connector;

	private final @Nullable JettyAcceptQueue acceptQueue;

	private final ConnectorId id;

	private final ConnectorConnections connections;

	private final ServerKeepAliveSettings settings;

	JettyManagedConnector(AbstractConnector connector, @Nullable JettyAcceptQueue acceptQueue,
			ConnectorConnections connections, ServerKeepAliveSettings settings) {
		this.connector = connector;
		this.acceptQueue = acceptQueue;
		int port = (connector instanceof NetworkConnector network) ? network.getLocalPort() : -1;
		String scheme = (connector.getConnectionFactory(SslConnectionFactory.class) != null) ? "https" : "http";
		this.id = new ConnectorId(port, scheme);
		this.connections = connections;
		this.settings = settings;
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
		return new ConnectorLimits(Duration.ofMillis(this.connector.getIdleTimeout()), this.settings.headersTimeout(),
				this.settings.maxRequestsPerConnection(), this.settings.maxConnectionAge(), maxConnections());
	}

	/**
	 * The server's connection limit ({@code server.jetty.max-connections}), shared by the
	 * connectors it covers.
	 */
	private @Nullable Integer maxConnections() {
		Server server = this.connector.getServer();
		NetworkConnectionLimit limit = (server != null) ? server.getBean(NetworkConnectionLimit.class) : null;
		int max = (limit != null) ? limit.getMaxNetworkConnectionCount() : -1;
		return (max > 0) ? max : null;
	}

	@Override
	public int stopAccepting() {
		// Unlike shutdown(), this leaves idle timeouts and keep-alive decisions alone.
		if (this.acceptQueue != null) {
			return this.acceptQueue.stopAccepting();
		}
		if (this.connector instanceof NetworkConnector network) {
			network.close();
		}
		return 0;
	}

	@Override
	public void stopWaitingForRequests() {
		// the pool otherwise waits its stop timeout for threads still running
		if (this.connector.getExecutor() instanceof QueuedThreadPool pool) {
			pool.setStopTimeout(0);
		}
	}

}
