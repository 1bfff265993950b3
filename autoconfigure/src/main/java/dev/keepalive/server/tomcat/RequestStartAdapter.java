package dev.keepalive.server.tomcat;

import dev.keepalive.server.ServerConnections;
import dev.keepalive.server.TrackedConnection;
import org.apache.coyote.Adapter;
import org.apache.coyote.Request;
import org.apache.coyote.Response;

/**
 * The protocol's adapter, which every request passes once its headers are parsed
 * (HTTP/1.1 requests and HTTP/2 streams alike): starts the request's body rate, and
 * records the request as new work during the drain delay. The connection is the one bound
 * to the thread.
 */
final class RequestStartAdapter extends ForwardingAdapter {

	private final KeepAliveHttp11NioProtocol protocol;

	RequestStartAdapter(Adapter delegate, KeepAliveHttp11NioProtocol protocol) {
		super(delegate);
		this.protocol = protocol;
	}

	@Override
	public void service(Request req, Response res) throws Exception {
		TrackedConnection connection = TrackedConnection.current();
		if (connection != null && !connection.isHttp2()) {
			connection.requestBodyRate().requestStarted();
		}
		ServerConnections server = this.protocol.serverConnections();
		// the path is made a String only while it is recorded
		if (server != null && server.recordsNewWork()) {
			server.requestArrived(connection, req.requestURI().toString());
		}
		super.service(req, res);
	}

}
