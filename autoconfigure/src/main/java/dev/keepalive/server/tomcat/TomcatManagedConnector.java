package dev.keepalive.server.tomcat;

import java.time.Duration;

import dev.keepalive.server.ConnectorConnections;
import dev.keepalive.server.ConnectorId;
import dev.keepalive.server.ConnectorLimits;
import dev.keepalive.server.ManagedConnector;
import dev.keepalive.server.ServerKeepAliveSettings;

/**
 * A Tomcat connector that Keepalive manages.
 */
final class TomcatManagedConnector implements ManagedConnector {

	private final KeepAliveHttp11NioProtocol protocol;

	private final ConnectorId id;

	private final ConnectorConnections connections;

	private final ServerKeepAliveSettings settings;

	TomcatManagedConnector(KeepAliveHttp11NioProtocol protocol, ConnectorId id, ConnectorConnections connections,
			ServerKeepAliveSettings settings) {
		this.protocol = protocol;
		this.id = id;
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
		int maxRequests = this.protocol.getMaxKeepAliveRequests();
		int maxConnections = this.protocol.getMaxConnections();
		return new ConnectorLimits(Duration.ofMillis(this.protocol.getKeepAliveTimeout()),
				this.settings.headersTimeout(), (maxRequests > 0) ? maxRequests : null,
				this.settings.maxConnectionAge(), (maxConnections > 0) ? maxConnections : null);
	}

	@Override
	public int stopAccepting() {
		// Unlike pause(), this keeps serving requests on open connections; it works
		// because Spring Boot binds on start (bindOnInit=false).
		return this.protocol.stopAccepting();
	}

	@Override
	public void stopWaitingForRequests() {
		this.protocol.stopWaitingForRequests();
	}

}
