package dev.keepalive.server.jetty;

import java.util.Map;

import dev.keepalive.server.ServerConnections;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Marks an exchange asynchronous when the handler returns before its response is
 * complete: the request then waits with no thread on it, as a servlet does after
 * {@code startAsync()}.
 */
final class AsyncTrackingHandler extends Handler.Wrapper {

	private final Map<Connector, JettyConnectionTracker> trackers;

	private final ServerConnections server;

	AsyncTrackingHandler(Handler handler, Map<Connector, JettyConnectionTracker> trackers, ServerConnections server) {
		super(handler);
		this.trackers = trackers;
		this.server = server;
	}

	@Override
	public boolean handle(Request request, Response response, Callback callback) throws Exception {
		JettyConnectionTracker tracker = this.trackers.get(request.getConnectionMetaData().getConnector());
		JettyTrackedConnection connection = (tracker != null)
				? tracker.get(request.getConnectionMetaData().getConnection().getEndPoint()) : null;
		KeepAliveHttpStream exchange = (connection != null) ? connection.currentExchange() : null;
		this.server.requestArrived(connection, request.getHttpURI().getPath());
		if (connection != null) {
			if (connection.isHttp2()) {
				connection.http2RequestStarted(this.server);
			}
			connection.bindToCurrentThread();
		}
		try {
			return super.handle(request, response, callback);
		}
		finally {
			if (connection != null) {
				connection.unbindFromCurrentThread();
			}
			if (exchange != null) {
				exchange.handlerReturned();
			}
		}
	}

}
