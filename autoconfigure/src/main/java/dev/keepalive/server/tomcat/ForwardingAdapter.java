package dev.keepalive.server.tomcat;

import org.apache.coyote.Adapter;
import org.apache.coyote.Request;
import org.apache.coyote.Response;
import org.apache.tomcat.util.net.SocketEvent;

/**
 * An {@link Adapter} that forwards every call to another, for subclasses to add to.
 */
abstract class ForwardingAdapter implements Adapter {

	private final Adapter delegate;

	ForwardingAdapter(Adapter delegate) {
		this.delegate = delegate;
	}

	@Override
	public void service(Request req, Response res) throws Exception {
		this.delegate.service(req, res);
	}

	@Override
	public boolean prepare(Request req, Response res) throws Exception {
		return this.delegate.prepare(req, res);
	}

	@Override
	public boolean asyncDispatch(Request req, Response res, SocketEvent status) throws Exception {
		return this.delegate.asyncDispatch(req, res, status);
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
