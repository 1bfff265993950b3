package dev.keepalive.server;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import org.springframework.beans.factory.DisposableBean;

/**
 * Every connector of the application's web server that Keepalive manages, and the counts
 * of closed connections by reason. Also runs the headers deadline, which neither Tomcat
 * nor Jetty has natively.
 */
public final class ServerConnections implements DisposableBean {

	private final ConnectionPolicy policy;

	private final List<ManagedConnector> connectors = new CopyOnWriteArrayList<>();

	private final Map<CloseReason, LongAdder> closed = new EnumMap<>(CloseReason.class);

	private final HeadersTimeoutSweeper headersTimeoutSweeper;

	private final List<Consumer<ManagedConnector>> registrationListeners = new CopyOnWriteArrayList<>();

	public ServerConnections(ConnectionPolicy policy) {
		this.policy = policy;
		for (CloseReason reason : CloseReason.values()) {
			this.closed.put(reason, new LongAdder());
		}
		this.headersTimeoutSweeper = new HeadersTimeoutSweeper(this.connectors, policy.settings().headersTimeout());
	}

	/**
	 * The policy every connector applies.
	 * @return the policy
	 */
	public ConnectionPolicy policy() {
		return this.policy;
	}

	/**
	 * Create the connection registry for a new connector; closes recorded in it are
	 * counted here.
	 * @return a new, empty registry
	 */
	public ConnectorConnections newConnectorConnections() {
		return new ConnectorConnections((reason) -> this.closed.get(reason).increment());
	}

	/**
	 * Register a connector once it listens.
	 * @param connector the connector
	 */
	public void register(ManagedConnector connector) {
		this.connectors.add(connector);
		this.headersTimeoutSweeper.start();
		this.registrationListeners.forEach((listener) -> listener.accept(connector));
	}

	/**
	 * Call {@code listener} for every connector, those registered already and those
	 * registered later.
	 * @param listener the listener
	 */
	public void forEachConnector(Consumer<ManagedConnector> listener) {
		this.registrationListeners.add(listener);
		this.connectors.forEach(listener);
	}

	/**
	 * The registered connectors.
	 * @return the connectors, in the order they started
	 */
	public List<ManagedConnector> connectors() {
		return List.copyOf(this.connectors);
	}

	/**
	 * The number of connections closed for a reason since the application started.
	 * @param reason the reason
	 * @return the count
	 */
	public long closedCount(CloseReason reason) {
		return this.closed.get(reason).sum();
	}

	/**
	 * The open connections across all connectors, by state.
	 * @return the counts
	 */
	public ConnectionCounts counts() {
		ConnectionCounts total = ConnectionCounts.NONE;
		for (ManagedConnector connector : this.connectors) {
			total = total.plus(connector.connections().counts());
		}
		return total;
	}

	@Override
	public void destroy() {
		this.headersTimeoutSweeper.stop();
	}

}
