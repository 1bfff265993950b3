package dev.keepalive.server;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;

/**
 * Every connector of the application's web server that Keepalive manages, and the one
 * facade through which the drain drives them, whatever the server: close after each
 * response, stop accepting, close after each exchange, close what is left. Also counts
 * closed connections by reason and enforces the headers deadline, the minimum request
 * body and response rates and keep-alive that yields under connection pressure, which
 * neither Tomcat nor Jetty has natively.
 * <p>
 * Server implementations register their connectors and ask, as each response is
 * committed, whether it must close its connection ({@link #closeReason}).
 */
public final class ServerConnections implements DisposableBean {

	private static final Log logger = LogFactory.getLog(ServerConnections.class);

	private final ConnectionPolicy policy;

	private final List<ManagedConnector> connectors = new CopyOnWriteArrayList<>();

	private final Map<CloseReason, LongAdder> closed = new EnumMap<>(CloseReason.class);

	private final ConnectionSweeper sweeper;

	private final List<Consumer<ManagedConnector>> registrationListeners = new CopyOnWriteArrayList<>();

	private final LongAdder responsesWhileClosing = new LongAdder();

	private final NewWork newWork;

	private volatile Mode mode = Mode.KEEP_ALIVE;

	/** When {@link #stopping()} was called, as {@link System#nanoTime()}. */
	private volatile long stoppingSinceNanos;

	/**
	 * Create the connections of a server.
	 * @param policy the keep-alive rules
	 * @param newWork where requests arriving during the drain delay are recorded
	 */
	public ServerConnections(ConnectionPolicy policy, NewWork newWork) {
		this.policy = policy;
		this.newWork = newWork;
		for (CloseReason reason : CloseReason.values()) {
			this.closed.put(reason, new LongAdder());
		}
		this.sweeper = new ConnectionSweeper(this.connectors, connectorRules(policy.settings()),
				sweeperRules(policy.settings()));
	}

	private static List<ConnectionSweeper.ConnectorRule> connectorRules(ServerKeepAliveSettings settings) {
		List<ConnectionSweeper.ConnectorRule> rules = new ArrayList<>();
		PressureSettings pressure = settings.pressure();
		if (pressure != null) {
			rules.add(new PressureRelief(pressure));
		}
		if (MinResponseRate.isAvailable(settings)) {
			rules.add(new MinResponseRate(settings.minResponseRate(), settings.minDataRateGrace()));
		}
		else if (settings.minResponseRate() > 0) {
			logger.info("keepalive.server.min-response-rate is not enforced: it reads the kernel's TCP tables"
					+ " (/proc/net/tcp), which only Linux has");
		}
		return rules;
	}

	/**
	 * The minimum rate at which clients must take responses, as enforced.
	 * @return bytes per second, 0 when none is (not set, or not on Linux)
	 */
	public long minResponseRate() {
		return MinResponseRate.isAvailable(this.policy.settings()) ? this.policy.settings().minResponseRate() : 0;
	}

	private static List<ConnectionSweeper.Rule> sweeperRules(ServerKeepAliveSettings settings) {
		List<ConnectionSweeper.Rule> rules = new ArrayList<>();
		rules.add(new ConnectionSweeper.HeadersDeadline(settings.headersTimeout()));
		if (settings.minRequestBodyRate() > 0) {
			rules.add(new ConnectionSweeper.MinRequestBodyRate(settings.minRequestBodyRate(),
					settings.minDataRateGrace()));
		}
		return rules;
	}

	/**
	 * The keep-alive rules every connector applies.
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
		return new ConnectorConnections(this::count);
	}

	/**
	 * Register a connector once it listens.
	 * @param connector the connector
	 */
	public void register(ManagedConnector connector) {
		this.connectors.add(connector);
		this.sweeper.start();
		this.registrationListeners.forEach((listener) -> listener.accept(connector));
	}

	/**
	 * Forget a connector that has stopped; it registers again if it starts again.
	 * @param connector the connector
	 */
	public void unregister(ManagedConnector connector) {
		this.connectors.remove(connector);
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
	 * Return why the response being committed must close its connection, or {@code null}
	 * if it may stay open. Server implementations call this for every response, as it is
	 * committed.
	 * @param connection the connection, or {@code null} if it is not tracked
	 * @param requestsOnConnection the number of requests received on the connection so
	 * far, this one included
	 * @param maxRequests the connector's limit of requests per connection, 0 or less for
	 * none
	 * @return the reason to close, or {@code null}
	 */
	public @Nullable CloseReason closeReason(@Nullable TrackedConnection connection, long requestsOnConnection,
			int maxRequests) {
		if (closesConnections() || (this.mode == Mode.STOPPING && stoppingCloses(connection))) {
			return CloseReason.DRAIN_AFTER_RESPONSE;
		}
		return this.policy.closeReason(connection, requestsOnConnection, maxRequests);
	}

	/**
	 * Before the server has stopped accepting, with no drain delay: a connection opened
	 * since, or whose exchange was in flight when the drain began.
	 */
	private boolean stoppingCloses(@Nullable TrackedConnection connection) {
		return connection != null && (connection.openedNanos() - this.stoppingSinceNanos >= 0
				|| connection.exchangeInFlightWhenDrainBegan());
	}

	/**
	 * Whether a request arriving now is recorded as new work: during the drain delay.
	 * Server implementations that must build the path first ask this before.
	 * @return whether {@link #requestArrived} records
	 */
	public boolean recordsNewWork() {
		return this.mode == Mode.CLOSE_AFTER_RESPONSE;
	}

	/**
	 * Record a request (an HTTP/1.1 request or an HTTP/2 stream) as its headers arrive.
	 * Server implementations call this for every request.
	 * @param connection its connection, or {@code null} if it is not tracked
	 * @param path its path, context path included
	 */
	public void requestArrived(@Nullable TrackedConnection connection, String path) {
		if (recordsNewWork()) {
			this.newWork.requestArrived(connection, path);
		}
	}

	/**
	 * What arrived since the drain delay began.
	 * @return the new work
	 */
	public NewWork newWork() {
		return this.newWork;
	}

	/**
	 * Count a response being committed. Server implementations call this for every
	 * response. A response committed on a connection the drain has force-closed (the
	 * error response of an interrupted handler) reaches no one and is not counted.
	 * @param connection the response's connection, or {@code null} if it is not tracked
	 */
	public void responseCommitted(@Nullable TrackedConnection connection) {
		if (connection != null) {
			connection.requestBodyRate().responseStarted();
		}
		if (drainStarted() && (connection == null || !connection.isForceClosed())) {
			this.responsesWhileClosing.increment();
		}
	}

	/**
	 * Whether a connection closes once its current exchange completes, even if its
	 * response was committed with keep-alive: true once the drain has stopped accepting
	 * after a drain delay.
	 * @return whether connections close after their exchange
	 */
	public boolean closesAfterExchange() {
		return this.mode == Mode.CLOSE_AFTER_EXCHANGE;
	}

	/**
	 * Make every response from now on close its connection (the drain delay, or with none
	 * once the server has stopped accepting); HTTP/2 connections, those open and those
	 * opened from now on, are told to open no new stream (a graceful GOAWAY). Requests
	 * are recorded as new work from now on, until {@link #closeAfterExchange()}.
	 */
	public void closeAfterResponse() {
		this.newWork.start(System.nanoTime());
		this.mode = Mode.CLOSE_AFTER_RESPONSE;
		forEachConnection(TrackedConnection::goAwayGracefully);
	}

	/**
	 * Begin a drain that has no drain delay. Connections opened from now on close after
	 * their first response; those open before stay alive until the server has stopped
	 * accepting ({@link #closeAfterResponse()}): told to close while it still accepts,
	 * their clients would reconnect at once, into the accept queue of a socket about to
	 * close. A connection with an exchange in flight now closes after its response, with
	 * {@code Connection: close} unless that was committed with keep-alive: then it may
	 * bring one more request, as in a drain delay.
	 */
	public void stopping() {
		this.stoppingSinceNanos = System.nanoTime();
		this.mode = Mode.STOPPING;
		forEachConnection(TrackedConnection::markExchangeInFlight);
	}

	/**
	 * Whether every connection is told to close: every response says
	 * {@code Connection: close}, every new HTTP/2 connection gets a graceful GOAWAY.
	 * @return whether connections are told to close
	 */
	public boolean closesConnections() {
		return this.mode == Mode.CLOSE_AFTER_RESPONSE || this.mode == Mode.CLOSE_AFTER_EXCHANGE;
	}

	/**
	 * Whether a drain has begun.
	 * @return whether a drain has begun
	 */
	public boolean drainStarted() {
		return this.mode != Mode.KEEP_ALIVE;
	}

	/**
	 * Send the final GOAWAY on every HTTP/2 connection that has not had it: streams the
	 * client opens from now on are not processed. Idempotent.
	 */
	public void goAway() {
		forEachConnection(TrackedConnection::goAway);
	}

	/**
	 * Stop accepting on every connector without resetting connections the kernel has
	 * already established: those waiting to be accepted are taken and served.
	 * @return the number of connections taken from the accept queues
	 */
	public int stopAccepting() {
		int taken = 0;
		for (ManagedConnector connector : this.connectors) {
			taken += connector.stopAccepting();
		}
		return taken;
	}

	/**
	 * Make every connection close once its current exchange completes: a response already
	 * committed with keep-alive is followed by the end of the connection.
	 */
	public void closeAfterExchange() {
		this.mode = Mode.CLOSE_AFTER_EXCHANGE;
	}

	/**
	 * Keep connections alive again, as configured: the server has been restarted.
	 */
	public void keepAlive() {
		this.mode = Mode.KEEP_ALIVE;
	}

	/**
	 * The open connections of every connector, except one.
	 * @param excluded the connection to leave out (the one whose request started a
	 * drain), or {@code null}
	 * @return the connections, at this moment
	 */
	public List<TrackedConnection> connectionsOtherThan(@Nullable TrackedConnection excluded) {
		List<TrackedConnection> connections = new ArrayList<>();
		for (ManagedConnector connector : this.connectors) {
			for (TrackedConnection connection : connector.connections().connections()) {
				if (connection != excluded) {
					connections.add(connection);
				}
			}
		}
		return connections;
	}

	/**
	 * Close a connection whatever it is doing, and count it as {@code forced} at once:
	 * its server may take longer to notice (a request thread still running).
	 * @param connection the connection
	 * @param interruptHandler whether to interrupt the thread handling its request
	 * @return whether this call counted it; false if it had already closed
	 */
	public boolean forceClose(TrackedConnection connection, boolean interruptHandler) {
		connection.forceClose();
		if (interruptHandler) {
			connection.interruptHandler();
		}
		if (connection.markCounted()) {
			count(CloseReason.FORCED);
			return true;
		}
		return false;
	}

	/**
	 * Stop waiting for the requests still running when the server stops: the drain has
	 * given up on them.
	 */
	public void stopWaitingForRequests() {
		this.connectors.forEach(ManagedConnector::stopWaitingForRequests);
	}

	/**
	 * The number of responses committed while every response closed its connection.
	 * @return the count
	 */
	public long responsesWhileClosing() {
		return this.responsesWhileClosing.sum();
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

	private void forEachConnection(Consumer<TrackedConnection> action) {
		for (ManagedConnector connector : this.connectors) {
			connector.connections().connections().forEach(action);
		}
	}

	private void count(CloseReason reason) {
		this.closed.get(reason).increment();
	}

	@Override
	public void destroy() {
		this.sweeper.stop();
	}

	private enum Mode {

		KEEP_ALIVE, STOPPING, CLOSE_AFTER_RESPONSE, CLOSE_AFTER_EXCHANGE

	}

}
