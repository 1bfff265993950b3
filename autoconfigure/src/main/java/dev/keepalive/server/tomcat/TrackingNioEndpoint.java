package dev.keepalive.server.tomcat;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import dev.keepalive.server.AcceptQueue;
import org.apache.tomcat.util.net.Acceptor.AcceptorState;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.jspecify.annotations.Nullable;

/**
 * A {@link NioEndpoint} whose connections map reports every open and close (Tomcat puts a
 * connection in it before registering it with the poller and removes it when it closes,
 * so both are seen exactly once, in O(1)), and that stops accepting without resetting the
 * connections waiting in the accept queue.
 */
final class TrackingNioEndpoint extends NioEndpoint {

	/**
	 * How long the acceptor may take to come out of {@code accept()} for its marker.
	 */
	private static final Duration ACCEPTOR_WAIT = Duration.ofMillis(500);

	private volatile KeepAliveHttp11NioProtocol protocol;

	private volatile @Nullable AcceptQueue acceptQueue;

	private volatile int maxConnectionsBeforeStop;

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

	@Override
	public void startInternal() throws Exception {
		this.acceptQueue = null;
		if (this.maxConnectionsBeforeStop != 0) {
			setMaxConnections(this.maxConnectionsBeforeStop);
			this.maxConnectionsBeforeStop = 0;
		}
		super.startInternal();
	}

	/**
	 * Stop accepting: the acceptor, woken by a marker connection, takes every connection
	 * still queued and closes the listening socket (see {@link #serverSocketAccept()}).
	 * @return the number of connections taken from the queue
	 */
	int stopAccepting() {
		int taken = 0;
		if (getServerSocket() instanceof ServerSocketChannel listening && listening.isOpen()) {
			AcceptQueue queue = new AcceptQueue(listening, this::serve);
			this.acceptQueue = queue;
			// an acceptor held back at max-connections goes on to take the queue
			this.maxConnectionsBeforeStop = getMaxConnections();
			setMaxConnections(-1);
			if (!wakeAcceptor(queue) || !queue.await(ACCEPTOR_WAIT)) {
				queue.takeAllAndClose();
				queue.await(ACCEPTOR_WAIT);
			}
			taken = queue.count();
			queue.closeMarkers();
			awaitAcceptorEnded();
		}
		// bookkeeping: keep-alive off for new requests (HTTP/2 is left to the drain, see
		// TrackingHandler.pause())
		closeServerSocketGraceful();
		return taken;
	}

	private boolean wakeAcceptor(AcceptQueue queue) {
		if (this.acceptor == null || this.acceptor.getState() != AcceptorState.RUNNING) {
			return false;
		}
		try {
			queue.wake(1);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Override
	protected SocketChannel serverSocketAccept() throws Exception {
		AcceptQueue queue = this.acceptQueue;
		if (queue == null) {
			try {
				SocketChannel channel = super.serverSocketAccept();
				queue = this.acceptQueue;
				if (queue == null || !queue.isMarker(channel)) {
					return channel;
				}
				channel.close();
			}
			catch (Exception ex) {
				queue = this.acceptQueue;
				if (queue == null) {
					throw ex;
				}
			}
		}
		queue.takeAllAndClose();
		// stop here, on the acceptor thread, which discards this channel
		this.acceptor.stopMillis(-1);
		return SocketChannel.open();
	}

	/**
	 * Hand a queued connection to Tomcat as its acceptor does.
	 */
	private void serve(SocketChannel channel) {
		try {
			countUpOrAwaitConnection();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (!setSocketOptions(channel)) {
			closeSocket(channel);
		}
	}

	/**
	 * Wait for the acceptor to leave its loop: closeServerSocketGraceful() would
	 * otherwise try to wake it through a socket that is already closed, and warn.
	 */
	private void awaitAcceptorEnded() {
		long deadline = System.nanoTime() + ACCEPTOR_WAIT.toNanos();
		try {
			while (this.acceptor != null && this.acceptor.getState() == AcceptorState.RUNNING
					&& System.nanoTime() - deadline < 0) {
				Thread.sleep(1);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
