package dev.keepalive.server.jetty;

import java.util.concurrent.TimeUnit;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionPolicy;
import dev.keepalive.server.ConnectorConnections;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.AbstractConnector;
import org.jspecify.annotations.Nullable;

/**
 * Feeds a connector's {@link ConnectorConnections} from Jetty's connection events, keyed
 * by endpoint. A WebSocket upgrade replaces the connection on the same endpoint: the HTTP
 * connection's close arrives while the endpoint is still open, then the new connection
 * opens on it.
 */
final class JettyConnectionTracker implements Connection.Listener {

	private final AbstractConnector connector;

	private final ConnectorConnections connections;

	private final ConnectionPolicy policy;

	JettyConnectionTracker(AbstractConnector connector, ConnectorConnections connections, ConnectionPolicy policy) {
		this.connector = connector;
		this.connections = connections;
		this.policy = policy;
	}

	@Override
	public void onOpened(Connection connection) {
		if (connection instanceof SslConnection) {
			// the decrypted HTTP connection opens too, on its own endpoint: track that
			// one
			return;
		}
		EndPoint endPoint = connection.getEndPoint();
		JettyTrackedConnection tracked = get(endPoint);
		if (tracked != null) {
			tracked.upgradedTo(connection);
		}
		else {
			this.connections.opened(endPoint, new JettyTrackedConnection(this.policy, endPoint, connection));
		}
	}

	@Override
	public void onClosed(Connection connection) {
		EndPoint endPoint = connection.getEndPoint();
		if (endPoint.isOpen()) {
			// replaced by an upgrade, the endpoint lives on
			return;
		}
		JettyTrackedConnection tracked = get(endPoint);
		boolean idleExpired = tracked != null
				&& tracked.idleForAtLeast(TimeUnit.MILLISECONDS.toNanos(this.connector.getIdleTimeout() - 50));
		this.connections.closed(endPoint, idleExpired ? CloseReason.IDLE_TIMEOUT : CloseReason.CLIENT);
	}

	ConnectorConnections connections() {
		return this.connections;
	}

	@Nullable JettyTrackedConnection get(EndPoint endPoint) {
		return (JettyTrackedConnection) this.connections.get(endPoint);
	}

}
