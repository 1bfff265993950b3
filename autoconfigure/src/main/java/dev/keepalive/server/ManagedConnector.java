package dev.keepalive.server;

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
	 * Close the listening socket: new connections are refused from now on, open ones are
	 * left alone.
	 */
	void stopAccepting();

}
