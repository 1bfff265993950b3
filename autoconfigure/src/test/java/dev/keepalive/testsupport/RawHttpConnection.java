package dev.keepalive.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * An HTTP/1.1 client over a plain socket, for tests where the exact bytes matter: which
 * headers a response carries, and whether the server closed the connection with a FIN
 * (EOF) or a reset.
 */
public final class RawHttpConnection implements AutoCloseable {

	private static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private RawHttpConnection(Socket socket) throws IOException {
		this.socket = socket;
		this.in = socket.getInputStream();
		this.out = socket.getOutputStream();
	}

	public static RawHttpConnection open(int port) throws IOException {
		return open(port, 0);
	}

	/**
	 * Open a connection whose receive buffer is {@code receiveBufferSize} bytes (the
	 * kernel doubles it), so that a client that does not read stops the server's writes
	 * soon; 0 leaves the kernel's own.
	 */
	public static RawHttpConnection open(int port, int receiveBufferSize) throws IOException {
		Socket socket = new Socket();
		if (receiveBufferSize > 0) {
			socket.setReceiveBufferSize(receiveBufferSize);
		}
		socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		socket.setSoTimeout((int) DEFAULT_READ_TIMEOUT.toMillis());
		socket.setTcpNoDelay(true);
		return new RawHttpConnection(socket);
	}

	/**
	 * Open a TLS connection that offers only HTTP/1.1 with ALPN, trusting any
	 * certificate: what an HTTP/1.1 client meets on a server with HTTP/2 enabled.
	 */
	public static RawHttpConnection openTls(int port) throws Exception {
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, new TrustManager[] { new TrustingManager() }, null);
		SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
		socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		SSLParameters parameters = socket.getSSLParameters();
		parameters.setApplicationProtocols(new String[] { "http/1.1" });
		socket.setSSLParameters(parameters);
		socket.setSoTimeout((int) DEFAULT_READ_TIMEOUT.toMillis());
		socket.startHandshake();
		return new RawHttpConnection(socket);
	}

	/**
	 * Send a GET for {@code path} with only a {@code Host} header plus the given extra
	 * header lines.
	 */
	public RawHttpConnection get(String path, String... headerLines) throws IOException {
		return send(request("GET", path, null, headerLines));
	}

	public RawHttpConnection post(String path, String body, String... headerLines) throws IOException {
		return send(request("POST", path, body, headerLines));
	}

	public RawHttpConnection postJson(String path, String json) throws IOException {
		return send(request("POST", path, json, "Content-Type: application/json"));
	}

	public static String request(String method, String path, String body, String... headerLines) {
		StringBuilder request = new StringBuilder();
		request.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: localhost\r\n");
		for (String line : headerLines) {
			request.append(line).append("\r\n");
		}
		if (body != null) {
			if (!String.join("", headerLines).startsWith("Content-Type")) {
				request.append("Content-Type: text/plain\r\n");
			}
			request.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
		}
		request.append("\r\n");
		if (body != null) {
			request.append(body);
		}
		return request.toString();
	}

	public RawHttpConnection send(String raw) throws IOException {
		this.out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
		this.out.flush();
		return this;
	}

	/**
	 * Read one whole response: status line, headers and a body framed by
	 * {@code Content-Length}, chunked encoding or the end of the stream.
	 */
	public RawHttpResponse readResponse() throws IOException {
		return readBody(readHead());
	}

	/**
	 * Read a response's status line and headers only: once it returns, the server has
	 * committed the response.
	 */
	public RawHttpResponse readHead() throws IOException {
		String statusLine = readLine();
		if (statusLine == null) {
			throw new IOException("Connection closed before a response arrived (EOF)");
		}
		RawHttpResponse.Builder response = RawHttpResponse.builder(statusLine);
		String line;
		while ((line = readLine()) != null && !line.isEmpty()) {
			int colon = line.indexOf(':');
			response.header(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
		}
		return response.build(new byte[0]);
	}

	/**
	 * Read the body of a response whose head {@link #readHead()} returned.
	 */
	public RawHttpResponse readBody(RawHttpResponse head) throws IOException {
		if (head.status() == 204 || head.status() == 304 || (head.status() >= 100 && head.status() < 200)) {
			return head;
		}
		if ("chunked".equalsIgnoreCase(head.header("Transfer-Encoding"))) {
			return head.withBody(readChunked());
		}
		String length = head.header("Content-Length");
		if (length != null) {
			return head.withBody(this.in.readNBytes(Integer.parseInt(length)));
		}
		return head.withBody(this.in.readAllBytes());
	}

	private byte[] readChunked() throws IOException {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		while (true) {
			String sizeLine = readLine();
			if (sizeLine == null) {
				throw new IOException("EOF inside a chunked body");
			}
			int semicolon = sizeLine.indexOf(';');
			int size = Integer.parseInt((semicolon >= 0) ? sizeLine.substring(0, semicolon) : sizeLine, 16);
			if (size == 0) {
				while (!readLine().isEmpty()) {
					// trailers
				}
				return body.toByteArray();
			}
			body.write(this.in.readNBytes(size));
			readLine();
		}
	}

	private String readLine() throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int b;
		while ((b = this.in.read()) != -1) {
			if (b == '\n') {
				byte[] bytes = line.toByteArray();
				int length = (bytes.length > 0 && bytes[bytes.length - 1] == '\r') ? bytes.length - 1 : bytes.length;
				return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
			}
			line.write(b);
		}
		return (line.size() == 0) ? null : line.toString(StandardCharsets.ISO_8859_1);
	}

	/**
	 * Wait up to {@code timeout} for the server to close the connection, reading (and
	 * failing on) any unexpected bytes.
	 * @return how the connection ended, or {@link Closure#OPEN} if it is still open
	 */
	public Closure awaitClose(Duration timeout) throws IOException {
		this.socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
		try {
			int b = this.in.read();
			if (b != -1) {
				throw new IllegalStateException("Unexpected byte from server: " + b);
			}
			return Closure.EOF;
		}
		catch (SocketTimeoutException ex) {
			return Closure.OPEN;
		}
		catch (SocketException ex) {
			return Closure.RESET;
		}
		finally {
			if (!this.socket.isClosed()) {
				this.socket.setSoTimeout((int) DEFAULT_READ_TIMEOUT.toMillis());
			}
		}
	}

	/**
	 * Whether the server has not closed the connection, checked without waiting.
	 */
	public boolean isOpen() throws IOException {
		return awaitClose(Duration.ofMillis(1)) == Closure.OPEN;
	}

	public Socket socket() {
		return this.socket;
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	/**
	 * How a connection ended.
	 */
	public enum Closure {

		/** The server closed it cleanly (FIN). */
		EOF,

		/** The connection was reset. */
		RESET,

		/** It is still open. */
		OPEN

	}

	private static final class TrustingManager implements X509TrustManager {

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType) {
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType) {
		}

		@Override
		public X509Certificate[] getAcceptedIssuers() {
			return new X509Certificate[0];
		}

	}

}
