package dev.keepalive.server.jetty;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionPolicy;
import dev.keepalive.server.ConnectorConnections;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.jspecify.annotations.Nullable;

/**
 * Feeds a connector's {@link ConnectorConnections} from Jetty's connection events, keyed
 * by endpoint. A WebSocket upgrade replaces the connection on the same endpoint: the HTTP
 * connection's close arrives while the endpoint is still open, then the new connection
 * opens on it.
 */
final class JettyConnectionTracker implements Connection.Listener {

	private final ConnectorConnections connections;

	private final ConnectionPolicy policy;

	JettyConnectionTracker(ConnectorConnections connections, ConnectionPolicy policy) {
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
		this.connections.closed(endPoint, idleExpired(endPoint) ? CloseReason.IDLE_TIMEOUT : CloseReason.CLIENT);
	}

	@Nullable JettyTrackedConnection get(EndPoint endPoint) {
		return (JettyTrackedConnection) this.connections.get(endPoint);
	}

	private static boolean idleExpired(EndPoint endPoint) {
		// Jetty closes on idle expiry without telling listeners why; a peer close counts
		// as
		// activity, so an endpoint idle for its whole timeout was closed by the timer.
		return endPoint instanceof IdleTimeout idle && idle.getIdleTimeout() > 0
				&& idle.getIdleFor() >= idle.getIdleTimeout() - 50;
	}

}
