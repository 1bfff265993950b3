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
final class BindingAdapter implements Adapter {

	private final Adapter delegate;

	private final TomcatTrackedConnection connection;

	private final ServerConnections server;

	BindingAdapter(Adapter delegate, TomcatTrackedConnection connection, ServerConnections server) {
		this.delegate = delegate;
		this.connection = connection;
		this.server = server;
	}

	@Override
	public void service(Request req, Response res) throws Exception {
		this.connection.http2RequestStarted(this.server);
		ResponseCommitHook.countCommit(res, this.server, this.connection);
		this.connection.bindToCurrentThread();
		try {
			this.delegate.service(req, res);
		}
		finally {
			this.connection.unbindFromCurrentThread();
		}
	}

	@Override
	public boolean prepare(Request req, Response res) throws Exception {
		return this.delegate.prepare(req, res);
	}

	@Override
	public boolean asyncDispatch(Request req, Response res, SocketEvent status) throws Exception {
		this.connection.bindToCurrentThread();
		try {
			return this.delegate.asyncDispatch(req, res, status);
		}
		finally {
			this.connection.unbindFromCurrentThread();
		}
	}

	@Override
	public void log(Request req, Response res, long time) {
		this.delegate.log(req, res, time);
	}

	@Override
	public void checkRecycled(Request req, Response res) {
		this.delegate.checkRecycled(req, res);
	}

	@Override
	public String getDomain() {
		return this.delegate.getDomain();
	}

}
