package dev.keepalive.server.jetty;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

import dev.keepalive.server.AcceptQueue;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.ServerConnector;
import org.jspecify.annotations.Nullable;

/**
 * Stops a {@link ServerConnector} from accepting without resetting the connections
 * waiting in its accept queue (see {@link AcceptQueue}). Jetty's acceptor threads block
 * in {@code accept()}; each is woken with a marker connection, and the first to accept
 * one, told to accept no more, takes the rest of the queue and closes the socket. Without
 * acceptor threads (the selector accepts, without blocking), or with an acceptor held
 * back by a connection limit, the caller takes the queue itself.
 * <p>
 * It is an {@link SelectorManager.AcceptListener} of the connector, called on the thread
 * that accepted each connection before Jetty registers it.
 */
final class JettyAcceptQueue implements SelectorManager.AcceptListener {

	/**
	 * How long an acceptor may take to come out of {@code accept()} for its marker.
	 */
	private static final Duration ACCEPTOR_WAIT = Duration.ofMillis(500);

	private final ServerConnector connector;

	private volatile @Nullable AcceptQueue queue;

	JettyAcceptQueue(ServerConnector connector) {
		this.connector = connector;
	}

	/**
	 * Accept again, after the connector has been restarted.
	 */
	void reset() {
		this.queue = null;
		this.connector.setAccepting(true);
	}

	int stopAccepting() {
		int taken = 0;
		if (this.connector.getTransport() instanceof ServerSocketChannel listening && listening.isOpen()) {
			AcceptQueue queue = new AcceptQueue(listening, this::serve);
			this.queue = queue;
			if (!wakeAcceptors(queue) || !queue.await(ACCEPTOR_WAIT)) {
				takeAllAndClose(queue);
				queue.await(ACCEPTOR_WAIT);
			}
			taken = queue.count();
			queue.closeMarkers();
		}
		// The acceptors now wait, not accepting (takeAllAndClose). Not Jetty's own
		// shutdown(): after it Jetty shuts the output after a response committed with
		// keep-alive before it, dropping a request the client sends at once
		return taken;
	}

	private boolean wakeAcceptors(AcceptQueue queue) {
		if (this.connector.getAcceptors() == 0) {
			return false;
		}
		try {
			queue.wake(this.connector.getAcceptors());
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private void takeAllAndClose(AcceptQueue queue) {
		this.connector.setAccepting(false);
		queue.takeAllAndClose();
	}

	/**
	 * Called on the acceptor thread, out of {@code accept()}: once a stop is asked for,
	 * the first connection accepted, a marker or not, is where the rest of the queue is
	 * taken.
	 */
	@Override
	public void onAccepting(SelectableChannel channel) {
		AcceptQueue queue = this.queue;
		if (queue != null && channel instanceof SocketChannel accepted) {
			if (queue.isMarker(accepted)) {
				// Jetty then fails to register it, quietly
				close(accepted);
			}
			takeAllAndClose(queue);
		}
	}

	/**
	 * Hand a queued connection to Jetty as its acceptor does.
	 */
	private void serve(SocketChannel channel) {
		try {
			channel.configureBlocking(false);
			Socket socket = channel.socket();
			socket.setTcpNoDelay(this.connector.getAcceptedTcpNoDelay());
			if (this.connector.getAcceptedReceiveBufferSize() > -1) {
				socket.setReceiveBufferSize(this.connector.getAcceptedReceiveBufferSize());
			}
			if (this.connector.getAcceptedSendBufferSize() > -1) {
				socket.setSendBufferSize(this.connector.getAcceptedSendBufferSize());
			}
			this.connector.getSelectorManager().accept(channel);
		}
		catch (IOException ex) {
			close(channel);
		}
	}

	private static void close(SocketChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ex) {
			// nothing left to do
		}
	}

}
