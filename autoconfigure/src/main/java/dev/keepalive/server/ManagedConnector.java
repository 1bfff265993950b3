package dev.keepalive.server;

import java.time.Duration;

/**
 * A connector of the application's web server that Keepalive tracks and can drain. Each
 * server implementation provides one per connector and registers it with
 * {@link ServerConnections} once the connector listens.
 */
public interface ManagedConnector {

	/**
	 * What a client sees of the connector.
	 * @return the port and scheme
	 */
	ConnectorId id();

	/**
	 * The connector's open connections.
	 * @return the registry
	 */
	ConnectorConnections connections();

	/**
	 * The limits the connector applies, as read back from the server.
	 * @return the limits
	 */
	ConnectorLimits limits();

	/**
	 * The idle timeout the connector applies now: its configured one, shorter while it is
	 * under connection pressure.
	 * @return the idle timeout in force
	 */
	default Duration idleTimeoutInForce() {
		long configured = limits().idleTimeout().toMillis();
		return Duration.ofMillis(connections().pressure().idleTimeoutMillis(configured));
	}

	/**
	 * Stop accepting without resetting what the kernel has already accepted: take the
	 * connections waiting in the accept queue (they are served like any other), then
	 * close the listening socket (see {@link AcceptQueue}). New connections are refused
	 * from then on; open ones are left alone.
	 * @return the number of connections taken from the accept queue
	 */
	int stopAccepting();

	/**
	 * The drain has given up on the requests still running on this connector (their
	 * connections are closed, their threads interrupted): stopping the server must not
	 * wait for their threads again, so that the application exits on time whatever its
	 * handlers do.
	 */
	default void stopWaitingForRequests() {
	}

}
