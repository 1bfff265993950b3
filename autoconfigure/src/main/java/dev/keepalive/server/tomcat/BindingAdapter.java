package dev.keepalive.server.tomcat;

import dev.keepalive.server.ServerConnections;
import org.apache.coyote.Adapter;
import org.apache.coyote.Request;
import org.apache.coyote.Response;
import org.apache.tomcat.util.net.SocketEvent;

/**
 * Sees each HTTP/2 stream's request: counts it for the connection's limits and its
 * response for the drain report, and binds the connection to the thread that runs it, so
 * that a drain started from a stream does not wait for its own connection, and a forced
 * close interrupts the threads.
 */
final class BindingAdapter extends ForwardingAdapter {

	private final TomcatTrackedConnection connection;

	private final ServerConnections server;

	BindingAdapter(Adapter delegate, TomcatTrackedConnection connection, ServerConnections server) {
		super(delegate);
		this.connection = connection;
		this.server = server;
	}

	@Override
	public void service(Request req, Response res) throws Exception {
		this.connection.http2RequestStarted(this.server);
		ResponseCommitHook.countCommit(res, this.server, this.connection);
		this.connection.bindToCurrentThread();
		try {
			super.service(req, res);
		}
		finally {
			this.connection.unbindFromCurrentThread();
		}
	}

	@Override
	public boolean asyncDispatch(Request req, Response res, SocketEvent status) throws Exception {
		this.connection.bindToCurrentThread();
		try {
			return super.asyncDispatch(req, res, status);
		}
		finally {
			this.connection.unbindFromCurrentThread();
		}
	}

}
