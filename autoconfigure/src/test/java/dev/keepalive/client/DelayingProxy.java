package dev.keepalive.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on the loopback interface that behaves like a real network path: every
 * chunk of bytes, and also the close (FIN), reaches the other side only after a delay, in
 * each direction. A reset is passed on as a reset (RST) after the same delay. On plain
 * loopback a pool hears the server's FIN within microseconds, so the keep-alive race
 * almost never shows; through this proxy a request sent just before the server's idle
 * timeout reaches the server after it closed the connection.
 */
final class DelayingProxy implements AutoCloseable {

	private final ServerSocket serverSocket;

	private final InetSocketAddress target;

	private final long delayMillis;

	private volatile boolean running = true;

	private final AtomicInteger connections = new AtomicInteger();

	DelayingProxy(int targetPort, Duration delay) throws IOException {
		this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
		this.delayMillis = delay.toMillis();
		this.serverSocket = new ServerSocket();
		this.serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
		Thread acceptor = new Thread(this::accept, "delaying-proxy-" + port());
		acceptor.setDaemon(true);
		acceptor.start();
	}

	int port() {
		return this.serverSocket.getLocalPort();
	}

	int connections() {
		return this.connections.get();
	}

	private void accept() {
		while (this.running) {
			try {
				Socket client = this.serverSocket.accept();
				this.connections.incrementAndGet();
				Socket server = new Socket();
				server.connect(this.target, 5000);
				client.setTcpNoDelay(true);
				server.setTcpNoDelay(true);
				Pair pair = new Pair(client, server);
				pump(pair, client, server);
				pump(pair, server, client);
			}
			catch (IOException ex) {
				// closed, or the target refused: the client sees its connection closed
			}
		}
	}

	private void pump(Pair pair, Socket from, Socket to) {
		// One thread per direction keeps bytes and the close in order
		ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "delaying-proxy-writer");
			thread.setDaemon(true);
			return thread;
		});
		Thread reader = new Thread(() -> {
			try {
				InputStream in = from.getInputStream();
				OutputStream out = to.getOutputStream();
				byte[] buffer = new byte[16 * 1024];
				while (true) {
					int read;
					try {
						read = in.read(buffer);
					}
					catch (IOException ex) {
						writer.schedule((Runnable) pair::reset, this.delayMillis, TimeUnit.MILLISECONDS);
						return;
					}
					if (read == -1) {
						writer.schedule(() -> {
							shutdownOutput(to);
							pair.directionDone();
						}, this.delayMillis, TimeUnit.MILLISECONDS);
						return;
					}
					byte[] chunk = Arrays.copyOf(buffer, read);
					writer.schedule(() -> {
						try {
							out.write(chunk);
							out.flush();
						}
						catch (IOException ex) {
							pair.reset();
						}
					}, this.delayMillis, TimeUnit.MILLISECONDS);
				}
			}
			catch (IOException ex) {
				pair.reset();
			}
			finally {
				writer.schedule(writer::shutdown, this.delayMillis + 10, TimeUnit.MILLISECONDS);
			}
		}, "delaying-proxy-reader");
		reader.setDaemon(true);
		reader.start();
	}

	private static void shutdownOutput(Socket socket) {
		try {
			socket.shutdownOutput();
		}
		catch (IOException ex) {
			// already closed
		}
	}

	@Override
	public void close() throws IOException {
		this.running = false;
		this.serverSocket.close();
	}

	private static final class Pair {

		private final Socket first;

		private final Socket second;

		private final AtomicInteger directionsDone = new AtomicInteger();

		Pair(Socket first, Socket second) {
			this.first = first;
			this.second = second;
		}

		void directionDone() {
			if (this.directionsDone.incrementAndGet() == 2) {
				close(this.first);
				close(this.second);
			}
		}

		void reset() {
			reset(this.first);
			reset(this.second);
		}

		private static void reset(Socket socket) {
			try {
				if (!socket.isClosed()) {
					socket.setSoLinger(true, 0);
				}
			}
			catch (IOException ex) {
				// already closed
			}
			close(socket);
		}

		private static void close(Socket socket) {
			try {
				socket.close();
			}
			catch (IOException ex) {
				// already closed
			}
		}

	}

}
