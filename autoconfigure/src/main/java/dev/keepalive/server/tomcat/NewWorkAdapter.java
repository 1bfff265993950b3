package dev.keepalive.server.tomcat;

import dev.keepalive.server.ServerConnections;
import dev.keepalive.server.TrackedConnection;
import org.apache.coyote.Adapter;
import org.apache.coyote.Request;
import org.apache.coyote.Response;

/**
 * The protocol's adapter, which every request passes once its headers are parsed
 * (HTTP/1.1 requests and HTTP/2 streams alike): records it as new work during the drain
 * delay. The connection is the one bound to the thread.
 */
final class NewWorkAdapter extends ForwardingAdapter {

	private final KeepAliveHttp11NioProtocol protocol;

	NewWorkAdapter(Adapter delegate, KeepAliveHttp11NioProtocol protocol) {
		super(delegate);
		this.protocol = protocol;
	}

	@Override
	public void service(Request req, Response res) throws Exception {
		ServerConnections server = this.protocol.serverConnections();
		// the path is made a String only while it is recorded
		if (server != null && server.recordsNewWork()) {
			server.requestArrived(TrackedConnection.current(), req.requestURI().toString());
		}
		super.service(req, res);
	}

}
