package dev.keepalive.server.tomcat;

import java.io.IOException;
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

	private volatile boolean stoppingAccept;

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

	/**
	 * Stop accepting without losing connections that clients have already opened.
	 * {@code closeServerSocketGraceful()} alone stops the acceptor, wakes it with a
	 * connection of its own and waits for it before closing the socket: a client
	 * connection accepted meanwhile is destroyed, and those queued meanwhile are reset.
	 * Closing the socket right after telling the acceptor to stop leaves only the
	 * kernel's accept queue of that instant.
	 */
	void stopAccepting() {
		this.stoppingAccept = true;
		if (this.acceptor != null) {
			this.acceptor.stopMillis(-1);
		}
		try {
			doCloseServerSocket();
		}
		catch (IOException ex) {
			// closeServerSocketGraceful() tries again and logs
		}
		// bookkeeping: keep-alive off for new requests, HTTP/2 told to stop new streams
		closeServerSocketGraceful();
	}

	@Override
	protected SocketChannel serverSocketAccept() throws Exception {
		try {
			return super.serverSocketAccept();
		}
		catch (Exception ex) {
			if (!this.stoppingAccept) {
				throw ex;
			}
			// The acceptor was blocked in accept() when the socket closed and has already
			// been told to stop: hand it a channel to discard instead of an error to log.
			return SocketChannel.open();
		}
	}

}
