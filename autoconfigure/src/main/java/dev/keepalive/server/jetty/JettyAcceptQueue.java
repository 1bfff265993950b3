package dev.keepalive.server.jetty;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

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
 * The acceptor that took the queue then waits here, not in Jetty's accept loop, until the
 * connector has stopped, and does not keep the interrupts of Jetty's shutdown and stop.
 * Parked in Jetty's loop instead, an acceptor interrupted by the stop that had not run
 * again before the next start took the interrupt into its next {@code accept()}, which
 * closed the restarted connector's new socket.
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

	private volatile @Nullable Stop stop;

	JettyAcceptQueue(ServerConnector connector) {
		this.connector = connector;
	}

	/**
	 * Accept again, after the connector has been restarted.
	 */
	void reset() {
		release();
		this.stop = null;
		this.connector.setAccepting(true);
	}

	/**
	 * Let the acceptor held since it took the queue go, once the connector has stopped.
	 */
	void release() {
		Stop stop = this.stop;
		if (stop != null) {
			stop.stopped().countDown();
		}
	}

	int stopAccepting() {
		int taken = 0;
		if (this.connector.getTransport() instanceof ServerSocketChannel listening && listening.isOpen()) {
			AcceptQueue queue = new AcceptQueue(listening, this::serve);
			this.stop = new Stop(queue, new CountDownLatch(1));
			if (!wakeAcceptors(queue) || !queue.await(ACCEPTOR_WAIT)) {
				takeAllAndClose(queue);
				queue.await(ACCEPTOR_WAIT);
			}
			taken = queue.count();
			queue.closeMarkers();
		}
		// The acceptors now wait: the one that took the queue here, any other in Jetty's
		// loop, not accepting (takeAllAndClose). Not Jetty's own shutdown(): after it
		// Jetty shuts the output after a response committed with keep-alive before it,
		// dropping a request the client sends at once
		return taken;
	}

	private boolean wakeAcceptors(AcceptQueue queue) {
		if (this.connector.getAcceptors() == 0) {
			return false;
		}
		try {
			// One more than the connector's own: an acceptor let go at a stop that is
			// followed at once by a start may still be in Jetty's loop, blocked in
			// accept() beside the new ones, where it would hold up the taking
			queue.wake(this.connector.getAcceptors() + 1);
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
	 * Called on the thread that accepted a connection, before Jetty registers it: an
	 * acceptor that accepts a marker takes the rest of the queue and waits for the stop.
	 * Other connections pass, served as before the stop was asked for.
	 */
	@Override
	public void onAccepting(SelectableChannel channel) {
		Stop stop = this.stop;
		if (stop != null && channel instanceof SocketChannel accepted && stop.queue().isMarker(accepted)) {
			// Jetty then fails to register it, quietly
			close(accepted);
			takeAllAndClose(stop.queue());
			holdUntilReleased(stop.stopped());
		}
	}

	private static void holdUntilReleased(CountDownLatch stopped) {
		boolean released = false;
		while (!released) {
			try {
				stopped.await();
				released = true;
			}
			catch (InterruptedException ex) {
				// Jetty's shutdown() and stop both interrupt the acceptors; its loop
				// reads the stop from the connector's state. The interrupt is not kept:
				// a thread that ran on only after a restart would take it into accept()
				// and close the new socket
			}
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

	/**
	 * One stop: its queue, and the latch that the acceptor which took it waits on.
	 */
	private record Stop(AcceptQueue queue, CountDownLatch stopped) {

	}

}
