package dev.keepalive.server.tomcat;

import java.io.IOException;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionPolicy;
import org.apache.coyote.Adapter;
import org.apache.coyote.http11.Http11Processor;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler.SocketState;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * An {@link Http11Processor} that closes its connection after the current exchange while
 * the server drains, even when the response was committed with keep-alive before the
 * drain began (a streaming response, for example).
 */
final class KeepAliveHttp11Processor extends Http11Processor {

	private final KeepAliveHttp11NioProtocol protocol;

	KeepAliveHttp11Processor(KeepAliveHttp11NioProtocol protocol, Adapter adapter) {
		super(protocol, adapter);
		this.protocol = protocol;
	}

	SocketWrapperBase<?> socketWrapper() {
		return getSocketWrapper();
	}

	@Override
	public SocketState service(SocketWrapperBase<?> socketWrapper) throws IOException {
		return closeIfDraining(super.service(socketWrapper), socketWrapper);
	}

	@Override
	protected SocketState dispatchEndRequest() {
		return closeIfDraining(super.dispatchEndRequest(), getSocketWrapper());
	}

	private SocketState closeIfDraining(SocketState state, SocketWrapperBase<?> socketWrapper) {
		ConnectionPolicy policy = this.protocol.policy();
		if (state == SocketState.OPEN && policy != null && policy.isCloseAfterExchange()) {
			TomcatTrackedConnection connection = this.protocol.tracked(socketWrapper);
			if (connection != null) {
				connection.closingFor(CloseReason.DRAIN_AFTER_RESPONSE);
			}
			return SocketState.CLOSED;
		}
		return state;
	}

}
