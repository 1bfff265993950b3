package dev.keepalive.server.tomcat;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionState;
import dev.keepalive.server.ServerConnections;
import org.apache.coyote.AbstractProcessor;
import org.apache.coyote.Processor;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Wraps Tomcat's connection handler to learn the state each connection is left in.
 * {@code process} runs under the connection's lock, so the transitions of one connection
 * are serialized.
 */
final class TrackingHandler implements Handler<NioChannel> {

	private final Handler<NioChannel> delegate;

	private final KeepAliveHttp11NioProtocol protocol;

	TrackingHandler(Handler<NioChannel> delegate, KeepAliveHttp11NioProtocol protocol) {
		this.delegate = delegate;
		this.protocol = protocol;
	}

	@Override
	public SocketState process(SocketWrapperBase<NioChannel> wrapper, SocketEvent event) {
		TomcatTrackedConnection connection = this.protocol.tracked(wrapper);
		if (connection == null) {
			return this.delegate.process(wrapper, event);
		}
		ConnectionState previous = connection.state();
		// A timeout on an async or upgraded connection arrives as TIMEOUT; anything else
		// is a no-op for Tomcat and must not change what we know of the connection.
		boolean staleTimeout = event == SocketEvent.TIMEOUT
				&& !(wrapper.getCurrentProcessor() instanceof Processor p && (p.isAsync() || p.isUpgrade()));
		if (event == SocketEvent.ERROR
				&& (previous == ConnectionState.IDLE || previous == ConnectionState.READING_HEADERS)) {
			// the poller reports a read timeout as ERROR
			connection.closingFor(CloseReason.IDLE_TIMEOUT);
		}
		connection.setState(ConnectionState.ACTIVE);
		connection.bindToCurrentThread();
		SocketState state;
		try {
			state = this.delegate.process(wrapper, event);
		}
		finally {
			connection.unbindFromCurrentThread();
		}
		if (state == SocketState.CLOSED && connection.closeIfResetting()) {
			return state;
		}
		if (staleTimeout) {
			connection.setState(previous);
		}
		else {
			connection.setState(stateAfter(state, wrapper.getCurrentProcessor(), connection));
		}
		return state;
	}

	private ConnectionState stateAfter(SocketState state, Object processor, TomcatTrackedConnection connection) {
		if (state == SocketState.OPEN || state == SocketState.CLOSED) {
			return ConnectionState.IDLE;
		}
		if (processor instanceof Processor p && p.isUpgrade()) {
			return ConnectionState.UPGRADED;
		}
		if (processor instanceof Processor p && p.isAsync()) {
			return ConnectionState.ASYNC;
		}
		if (state == SocketState.LONG && processor instanceof AbstractProcessor p) {
			// LONG with a plain processor: part of a request line or headers received
			connection.setHeadersStartedNanos(p.getRequest().getStartTimeNanos());
			return ConnectionState.READING_HEADERS;
		}
		return ConnectionState.ACTIVE;
	}

	@Override
	public Object getGlobal() {
		return this.delegate.getGlobal();
	}

	@Override
	public void release(SocketWrapperBase<NioChannel> wrapper) {
		this.delegate.release(wrapper);
	}

	/**
	 * Tomcat pauses its HTTP/2 connections (a GOAWAY, then no new stream after a round
	 * trip) as soon as the listening socket closes. During a drain the drain decides when
	 * HTTP/2 clients get the final GOAWAY: after the idle grace, and not within a second
	 * of the graceful one.
	 */
	@Override
	public void pause() {
		ServerConnections server = this.protocol.serverConnections();
		if (server == null || !server.drainStarted()) {
			this.delegate.pause();
		}
	}

	@Override
	public void recycle() {
		this.delegate.recycle();
	}

}
