package dev.keepalive.server.tomcat;

import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * A {@link NioEndpoint} whose connections map reports every open and close: Tomcat puts a
 * connection in it before registering it with the poller and removes it when it closes,
 * so both are seen exactly once, in O(1).
 */
final class TrackingNioEndpoint extends NioEndpoint {

	private volatile KeepAliveHttp11NioProtocol protocol;

	@SuppressWarnings("serial")
	TrackingNioEndpoint() {
		this.connections = new ConcurrentHashMap<>() {

			@Override
			public SocketWrapperBase<NioChannel> put(SocketChannel channel, SocketWrapperBase<NioChannel> wrapper) {
				TrackingNioEndpoint.this.protocol.opened(channel, wrapper);
				return super.put(channel, wrapper);
			}

			@Override
			public SocketWrapperBase<NioChannel> remove(Object channel) {
				SocketWrapperBase<NioChannel> wrapper = super.remove(channel);
				if (wrapper != null) {
					TrackingNioEndpoint.this.protocol.closed(wrapper);
				}
				return wrapper;
			}

		};
	}

	void setProtocol(KeepAliveHttp11NioProtocol protocol) {
		this.protocol = protocol;
	}

}
