package dev.keepalive.server.jetty;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;

import dev.keepalive.server.ConnectorConnections;
import dev.keepalive.server.ConnectorId;
import dev.keepalive.server.ConnectorLimits;
import dev.keepalive.server.ManagedConnector;
import dev.keepalive.server.ServerKeepAliveSettings;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.SslConnectionFactory;

/**
 * A Jetty connector that Keepalive manages.
 */
final class JettyManagedConnector implements ManagedConnector {

	private final AbstractConnector connector;

	private final ConnectorId id;

	private final ConnectorConnections connections;

	private final ServerKeepAliveSettings settings;

	JettyManagedConnector(AbstractConnector connector, ConnectorConnections connections,
			ServerKeepAliveSettings settings) {
		this.connector = connector;
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
				this.settings.maxRequestsPerConnection(), this.settings.maxConnectionAge());
	}

	@Override
	public void stopAccepting() {
		// Unlike shutdown(), close() leaves idle timeouts and keep-alive decisions alone.
		if (this.connector instanceof NetworkConnector network) {
			network.close();
		}
		// with no acceptor threads, close() leaves the selector-accepted channel open
		if (this.connector.getTransport() instanceof ServerSocketChannel channel && channel.isOpen()) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				// already closed
			}
		}
	}

}
