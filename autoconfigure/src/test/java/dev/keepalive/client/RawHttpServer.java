package dev.keepalive.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * A blocking HTTP/1.1 server on the loopback interface, one thread per connection, whose
 * timing is exact: it closes (FIN) a keep-alive connection idle for exactly the idle
 * timeout after its last response. It can also drop requests on purpose.
 */
final class RawHttpServer implements AutoCloseable {

	enum Mode {

		/**
		 * Serve every request; close a connection idle for the idle timeout.
		 */
		KEEP_ALIVE,

		/**
		 * Serve the first request of a connection; read any later one in full, then close
		 * without a response byte, as a server does that closed an idle connection just
		 * as the request arrived.
		 */
		CLOSE_REUSED,

		/**
		 * Read the first request of every connection in full, then close without a
		 * response byte: a failure on a fresh connection.
		 */
		CLOSE_ALWAYS

	}

	private final ServerSocket serverSocket;

	private final Mode mode;

	private final int idleTimeoutMillis;

	private final @Nullable String keepAliveHeader;

	private final AtomicInteger connections = new AtomicInteger();

	private final AtomicInteger requests = new AtomicInteger();

	private final Queue<String> events = new ConcurrentLinkedQueue<>();

	private volatile boolean running = true;

	RawHttpServer(Mode mode, Duration idleTimeout, @Nullable String keepAliveHeader) throws IOException {
		this.mode = mode;
		this.idleTimeoutMillis = (int) idleTimeout.toMillis();
		this.keepAliveHeader = keepAliveHeader;
		this.serverSocket = new ServerSocket();
		this.serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
		Thread acceptor = new Thread(this::accept, "raw-http-server-" + port());
		acceptor.setDaemon(true);
		acceptor.start();
	}

	static RawHttpServer keepAlive(Duration idleTimeout) throws IOException {
		return new RawHttpServer(Mode.KEEP_ALIVE, idleTimeout, null);
	}

	int port() {
		return this.serverSocket.getLocalPort();
	}

	String url(String path) {
		return "http://127.0.0.1:" + port() + path;
	}

	/**
	 * Connections accepted so far.
	 * @return the count
	 */
	int connections() {
		return this.connections.get();
	}

	/**
	 * Requests read in full so far, answered or dropped.
	 * @return the count
	 */
	int requests() {
		return this.requests.get();
	}

	/**
	 * What happened on each connection, for assertion messages.
	 * @return the events in order
	 */
	String events() {
		return String.join("\n", this.events);
	}

	private void accept() {
		while (this.running) {
			try {
				Socket socket = this.serverSocket.accept();
				int connection = this.connections.incrementAndGet();
				Thread handler = new Thread(() -> serve(socket, connection), "raw-http-server-connection");
				handler.setDaemon(true);
				handler.start();
			}
			catch (IOException ex) {
				// closed
			}
		}
	}

	private void serve(Socket socket, int connection) {
		try (socket) {
			socket.setTcpNoDelay(true);
			InputStream in = socket.getInputStream();
			OutputStream out = socket.getOutputStream();
			int served = 0;
			while (true) {
				socket.setSoTimeout((served == 0) ? 30_000 : this.idleTimeoutMillis);
				String head;
				try {
					head = readHead(in);
				}
				catch (SocketTimeoutException ex) {
					this.events.add("#" + connection + " closed idle after " + served + " requests");
					return;
				}
				if (head == null) {
					this.events.add("#" + connection + " closed by the client after " + served + " requests");
					return;
				}
				socket.setSoTimeout(30_000);
				readBody(in, head);
				this.requests.incrementAndGet();
				String requestLine = head.substring(0, head.indexOf("\r\n"));
				if (this.mode == Mode.CLOSE_ALWAYS || (this.mode == Mode.CLOSE_REUSED && served > 0)) {
					this.events.add("#" + connection + " dropped " + requestLine);
					return;
				}
				this.events.add("#" + connection + " served " + requestLine);
				byte[] body = ("ok " + requestLine).getBytes(StandardCharsets.US_ASCII);
				StringBuilder response = new StringBuilder("HTTP/1.1 200 OK\r\n");
				response.append("Content-Type: text/plain\r\n");
				response.append("Content-Length: ").append(body.length).append("\r\n");
				if (this.keepAliveHeader != null) {
					response.append("Keep-Alive: ").append(this.keepAliveHeader).append("\r\n");
				}
				response.append("\r\n");
				out.write(response.toString().getBytes(StandardCharsets.US_ASCII));
				if (!requestLine.startsWith("HEAD ")) {
					out.write(body);
				}
				out.flush();
				served++;
			}
		}
		catch (IOException ex) {
			this.events.add("#" + connection + " failed: " + ex);
		}
	}

	private static @Nullable String readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		while (matched < 4) {
			int b = in.read();
			if (b == -1) {
				return null;
			}
			head.write(b);
			boolean expected = (matched % 2 == 0) ? b == '\r' : b == '\n';
			matched = expected ? matched + 1 : ((b == '\r') ? 1 : 0);
		}
		return head.toString(StandardCharsets.US_ASCII);
	}

	private static void readBody(InputStream in, String head) throws IOException {
		String lowerCaseHead = head.toLowerCase(Locale.ROOT);
		if (lowerCaseHead.contains("transfer-encoding: chunked")) {
			readChunked(in);
			return;
		}
		for (String line : lowerCaseHead.split("\r\n")) {
			if (line.startsWith("content-length:")) {
				in.readNBytes(Integer.parseInt(line.substring(15).trim()));
			}
		}
	}

	private static void readChunked(InputStream in) throws IOException {
		while (true) {
			String sizeLine = readLine(in);
			int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
			if (size == 0) {
				while (!readLine(in).isEmpty()) {
					// trailers
				}
				return;
			}
			in.readNBytes(size);
			readLine(in);
		}
	}

	private static String readLine(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		int b;
		while ((b = in.read()) != '\n') {
			if (b == -1) {
				throw new IOException("End of stream in a chunked body");
			}
			if (b != '\r') {
				line.append((char) b);
			}
		}
		return line.toString();
	}

	@Override
	public void close() throws IOException {
		this.running = false;
		this.serverSocket.close();
	}

}
