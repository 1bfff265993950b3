package dev.keepalive.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A WebSocket client over a plain socket that shows the frames exactly as the server
 * sends them, and that can be told not to answer a close frame.
 */
public final class RawWebSocket implements AutoCloseable {

	/** Close frame opcode. */
	public static final int CLOSE = 0x8;

	/** Text frame opcode. */
	public static final int TEXT = 0x1;

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private RawWebSocket(Socket socket) throws IOException {
		this.socket = socket;
		this.in = socket.getInputStream();
		this.out = socket.getOutputStream();
	}

	public static RawWebSocket connect(int port, String path) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		socket.setSoTimeout(30_000);
		RawWebSocket webSocket = new RawWebSocket(socket);
		webSocket.out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
				+ "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
			.getBytes(StandardCharsets.ISO_8859_1));
		webSocket.out.flush();
		String status = webSocket.readLine();
		if (status == null || !status.startsWith("HTTP/1.1 101")) {
			throw new IOException("WebSocket handshake failed: " + status);
		}
		while (!webSocket.readLine().isEmpty()) {
			// response headers
		}
		return webSocket;
	}

	public void sendText(String text) throws IOException {
		send(TEXT, text.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Answer a close frame with one of our own, as a well-behaved client does.
	 */
	public void sendClose(int code) throws IOException {
		send(CLOSE, new byte[] { (byte) (code >> 8), (byte) code });
	}

	private void send(int opcode, byte[] payload) throws IOException {
		// client frames are masked; a zero mask keeps the payload readable
		ByteArrayOutputStream frame = new ByteArrayOutputStream();
		frame.write(0x80 | opcode);
		if (payload.length < 126) {
			frame.write(0x80 | payload.length);
		}
		else {
			frame.write(0x80 | 126);
			frame.write(payload.length >> 8);
			frame.write(payload.length);
		}
		frame.write(new byte[4]);
		frame.write(payload);
		this.out.write(frame.toByteArray());
		this.out.flush();
	}

	public Frame readFrame() throws IOException {
		int first = readByte();
		int second = readByte();
		long length = second & 0x7F;
		if (length == 126) {
			length = (readByte() << 8) | readByte();
		}
		else if (length == 127) {
			length = 0;
			for (int i = 0; i < 8; i++) {
				length = (length << 8) | readByte();
			}
		}
		byte[] payload = this.in.readNBytes((int) length);
		return new Frame(first & 0x0F, payload);
	}

	/**
	 * Wait up to {@code timeout} for the server to close the TCP connection.
	 * @return whether it did
	 */
	public boolean awaitClosedByServer(Duration timeout) throws IOException {
		this.socket.setSoTimeout((int) timeout.toMillis());
		try {
			while (this.in.read() != -1) {
				// drain anything left
			}
			return true;
		}
		catch (java.net.SocketTimeoutException ex) {
			return false;
		}
		catch (SocketException ex) {
			return true;
		}
	}

	private int readByte() throws IOException {
		int b = this.in.read();
		if (b == -1) {
			throw new EOFException("Connection closed by the server");
		}
		return b;
	}

	private String readLine() throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int b;
		while ((b = this.in.read()) != -1 && b != '\n') {
			if (b != '\r') {
				line.write(b);
			}
		}
		return (b == -1 && line.size() == 0) ? null : line.toString(StandardCharsets.ISO_8859_1);
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	/**
	 * A frame from the server.
	 *
	 * @param opcode the opcode
	 * @param payload the payload
	 */
	public record Frame(int opcode, byte[] payload) {

		public String text() {
			return new String(this.payload, StandardCharsets.UTF_8);
		}

		/**
		 * The status code of a close frame.
		 */
		public int closeCode() {
			return ((this.payload[0] & 0xFF) << 8) | (this.payload[1] & 0xFF);
		}

		/**
		 * The reason of a close frame.
		 */
		public String closeReason() {
			return new String(this.payload, 2, this.payload.length - 2, StandardCharsets.UTF_8);
		}

	}

}
