package dev.keepalive.server;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * The open connections of one connector, fed by the server's open and close events.
 * Counts by state are taken when asked, from each connection's current state, so they
 * cannot drift.
 */
public final class ConnectorConnections {

	private final Map<Object, TrackedConnection> open = new ConcurrentHashMap<>();

	private final Consumer<CloseReason> closeListener;

	private final ConnectorPressure pressure = new ConnectorPressure();

	ConnectorConnections(Consumer<CloseReason> closeListener) {
		this.closeListener = closeListener;
	}

	/**
	 * Record a new connection.
	 * @param key the server's own object for the connection, used to find it again
	 * @param connection the connection
	 */
	public void opened(Object key, TrackedConnection connection) {
		this.open.put(key, connection);
	}

	/**
	 * Find an open connection.
	 * @param key the server's own object for the connection
	 * @return the connection, or {@code null} if it is not open
	 */
	public @Nullable TrackedConnection get(Object key) {
		return this.open.get(key);
	}

	/**
	 * Record that a connection closed.
	 * @param key the server's own object for the connection
	 * @param otherwise the reason to count unless one was recorded with
	 * {@link TrackedConnection#closingFor(CloseReason)}
	 */
	public void closed(Object key, CloseReason otherwise) {
		TrackedConnection connection = this.open.get(key);
		if (connection != null) {
			// counted before it leaves: whoever sees it gone sees it counted
			if (connection.markCounted()) {
				this.closeListener.accept(connection.closeReason(otherwise));
			}
			this.open.remove(key);
		}
	}

	/**
	 * The open connections.
	 * @return a live view
	 */
	public Collection<TrackedConnection> connections() {
		return this.open.values();
	}

	/**
	 * The number of open connections.
	 * @return the count
	 */
	public int size() {
		return this.open.size();
	}

	/**
	 * Whether the connector is under connection pressure, and the idle timeout it
	 * applies.
	 * @return the pressure
	 */
	public ConnectorPressure pressure() {
		return this.pressure;
	}

	/**
	 * Count the open connections by state.
	 * @return the counts
	 */
	public ConnectionCounts counts() {
		int[] byState = new int[ConnectionState.values().length];
		int total = 0;
		int http2 = 0;
		int streams = 0;
		for (TrackedConnection connection : this.open.values()) {
			byState[connection.state().ordinal()]++;
			total++;
			if (connection.isHttp2()) {
				http2++;
				streams += connection.streams();
			}
		}
		return new ConnectionCounts(total, byState[ConnectionState.IDLE.ordinal()],
				byState[ConnectionState.READING_HEADERS.ordinal()], byState[ConnectionState.ACTIVE.ordinal()],
				byState[ConnectionState.ASYNC.ordinal()], byState[ConnectionState.UPGRADED.ordinal()], http2, streams);
	}

}
