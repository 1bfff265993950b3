package dev.keepalive.actuate;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.keepalive.drain.ServerDrain;
import dev.keepalive.server.ManagedConnector;
import dev.keepalive.server.ServerConnections;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Reports the open connections of each connector and the drain phase. Always UP: whether
 * the instance takes traffic is readiness' business, which the drain sets.
 */
final class KeepAliveHealthIndicator extends AbstractHealthIndicator {

	private final ServerConnections server;

	private final ServerDrain drain;

	KeepAliveHealthIndicator(ServerConnections server, ServerDrain drain) {
		super("Keepalive health check failed");
		this.server = server;
		this.drain = drain;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		Map<String, Object> connectors = new LinkedHashMap<>();
		for (ManagedConnector connector : this.server.connectors()) {
			connectors.put(String.valueOf(connector.id().port()), connector.connections().counts());
		}
		builder.up().withDetail("drainPhase", this.drain.phase()).withDetail("connectors", connectors);
	}

}
