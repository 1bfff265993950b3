package dev.keepalive.server;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Stops a listening socket without resetting the connections that the kernel has already
 * established on it. Closing a listening socket resets every connection waiting in its
 * accept queue, after their clients may have sent a request; instead, every connection
 * still queued is taken, without blocking, and handed to the server, and the socket is
 * closed as soon as none is left. What remains is the handshakes that complete in
 * between: microseconds.
 * <p>
 * The taking must happen where no thread is blocked in {@code accept()}: on the server's
 * acceptor thread, which {@link #wake(int) markers} (connections of the server's own,
 * recognised with {@link #isMarker} and discarded) bring out of {@code accept()}. If no
 * acceptor takes its marker in time (one held back by a connection limit), the caller
 * takes the queue itself.
 */
public final class AcceptQueue {

	private final ServerSocketChannel listening;

	private final Consumer<SocketChannel> server;

	private final List<SocketAddress> markers = new CopyOnWriteArrayList<>();

	private final List<SocketChannel> markerChannels = new CopyOnWriteArrayList<>();

	private final AtomicBoolean taking = new AtomicBoolean();

	private final CountDownLatch taken = new CountDownLatch(1);

	private volatile int count;

	/**
	 * Prepare to stop a listening socket.
	 * @param listening the listening socket
	 * @param server takes over each connection taken from the queue, as the server's
	 * acceptor would
	 */
	public AcceptQueue(ServerSocketChannel listening, Consumer<SocketChannel> server) {
		this.listening = listening;
		this.server = server;
	}

	/**
	 * Connect markers to the listening socket, one for each acceptor thread that may be
	 * blocked in {@code accept()}, without waiting for them: an acceptor only blocks on
	 * an empty queue, where a marker arrives at once, and one busy with a full queue
	 * finds the stop at its next accept anyway. Publish this object to the acceptors
	 * first: a marker can be accepted before this method returns.
	 * @param acceptors the number of acceptor threads
	 * @throws IOException if a marker cannot be opened
	 */
	public void wake(int acceptors) throws IOException {
		InetSocketAddress target = reachable((InetSocketAddress) this.listening.getLocalAddress());
		for (int i = 0; i < acceptors; i++) {
			SocketChannel marker = boundMarker(target);
			this.markerChannels.add(marker);
			this.markers.add(marker.getLocalAddress());
			marker.connect(target);
		}
	}

	/**
	 * Open a marker connection for a listening socket, bound but not yet connected: its
	 * local address is known first, so that it can be recognised from the moment it is
	 * accepted. It does not block, and its close is a reset, which leaves no TIME_WAIT.
	 * @param target the address it will connect to (see {@link #reachable})
	 * @return the marker, to be connected by the caller
	 * @throws IOException if it cannot be opened
	 */
	public static SocketChannel boundMarker(InetSocketAddress target) throws IOException {
		SocketChannel marker = SocketChannel.open();
		try {
			marker.configureBlocking(false);
			marker.setOption(StandardSocketOptions.SO_LINGER, 0);
			marker.bind(new InetSocketAddress(target.getAddress(), 0));
			return marker;
		}
		catch (IOException ex) {
			close(marker);
			throw ex;
		}
	}

	/**
	 * Whether an accepted connection is one of the markers.
	 * @param accepted the connection
	 * @return whether it is a marker, to be closed and not served
	 */
	public boolean isMarker(SocketChannel accepted) {
		try {
			return this.markers.contains(accepted.getRemoteAddress());
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Wait for an acceptor to take the queue.
	 * @param timeout how long to wait
	 * @return whether it was taken
	 */
	public boolean await(Duration timeout) {
		try {
			return this.taken.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Take every connection waiting in the queue and hand it to the server, then close
	 * the listening socket; only the first call does anything.
	 */
	public void takeAllAndClose() {
		if (!this.taking.compareAndSet(false, true)) {
			return;
		}
		int taken = 0;
		try {
			this.listening.configureBlocking(false);
			SocketChannel channel;
			while ((channel = this.listening.accept()) != null) {
				if (isMarker(channel)) {
					channel.close();
				}
				else {
					this.server.accept(channel);
					taken++;
				}
			}
		}
		catch (IOException ex) {
			// closed below: what is left is reset, as without the queue drain
		}
		finally {
			close(this.listening);
			this.count = taken;
			this.taken.countDown();
		}
	}

	/**
	 * The number of connections taken from the queue.
	 * @return the count, once {@link #await} has returned true
	 */
	public int count() {
		return this.count;
	}

	/**
	 * Close the markers' own ends.
	 */
	public void closeMarkers() {
		this.markerChannels.forEach(AcceptQueue::close);
	}

	/**
	 * The address a marker connects to: a wildcard address through IPv4 loopback, which a
	 * dual-stack socket (Java's default) also accepts.
	 * @param listening the listening socket's address
	 * @return the address to connect to
	 */
	public static InetSocketAddress reachable(InetSocketAddress listening) {
		InetAddress host = listening.getAddress();
		return new InetSocketAddress(host.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : host,
				listening.getPort());
	}

	private static void close(Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException ex) {
			// nothing left to do
		}
	}

}
