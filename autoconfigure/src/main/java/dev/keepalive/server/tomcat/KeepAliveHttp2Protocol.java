package dev.keepalive.server.tomcat;

import dev.keepalive.server.ServerConnections;
import org.apache.coyote.Adapter;
import org.apache.coyote.Request;
import org.apache.coyote.http11.upgrade.InternalHttpUpgradeHandler;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Tomcat's HTTP/2 protocol (h2 over TLS, h2c by upgrade or prior knowledge) with
 * Keepalive's stream tracking and two-phase GOAWAY. It replaces the {@link Http2Protocol}
 * that Spring Boot adds for {@code server.http2.enabled=true}.
 */
final class KeepAliveHttp2Protocol extends Http2Protocol {

	@Override
	public InternalHttpUpgradeHandler getInternalUpgradeHandler(SocketWrapperBase<?> socketWrapper, Adapter adapter,
			Request coyoteRequest) {
		if (getHttp11Protocol() instanceof KeepAliveHttp11NioProtocol protocol && socketWrapper.hasAsyncIO()) {
			TomcatTrackedConnection connection = protocol.tracked(socketWrapper);
			ServerConnections server = protocol.serverConnections();
			if (connection != null && server != null) {
				return new KeepAliveHttp2UpgradeHandler(this, new BindingAdapter(adapter, connection, server),
						coyoteRequest, socketWrapper, connection);
			}
		}
		return super.getInternalUpgradeHandler(socketWrapper, adapter, coyoteRequest);
	}

}
