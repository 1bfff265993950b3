package dev.keepalive.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.awaitility.Awaitility;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.Frame;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.PingFrame;
import org.eclipse.jetty.http2.frames.PrefaceFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.http2.frames.SettingsFrame;
import org.eclipse.jetty.http2.generator.Generator;
import org.eclipse.jetty.http2.parser.Parser;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/2 over a plain socket (h2c, by prior knowledge or upgrade), frame by frame, for
 * tests where the exact frames matter: it opens the streams it is told to, whatever
 * GOAWAY frames it has received, as a client whose streams were already in flight would.
 * Frames are written and parsed with Jetty's generator and parser.
 */
public final class RawHttp2Connection implements AutoCloseable {

	private final Socket socket;

	private final OutputStream out;

	private final Generator generator = new Generator(ByteBufferPool.NON_POOLING);

	private final List<ReceivedGoAway> goAways = new CopyOnWriteArrayList<>();

	private final Map<Integer, Integer> statuses = new ConcurrentHashMap<>();

	private final Map<Integer, StringBuilder> bodies = new ConcurrentHashMap<>();

	private final List<Integer> ended = new CopyOnWriteArrayList<>();

	private final List<Integer> reset = new CopyOnWriteArrayList<>();

	private final AtomicLong pings = new AtomicLong();

	private volatile long lastPingAcknowledged;

	private volatile boolean closed;

	private RawHttp2Connection(int port, @Nullable String upgradePath) throws IOException {
		this.socket = new Socket();
		this.socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		this.socket.setTcpNoDelay(true);
		this.out = this.socket.getOutputStream();
		if (upgradePath != null) {
			upgrade(upgradePath);
		}
		write(new PrefaceFrame(), new SettingsFrame(Map.of(), false));
		Thread reader = new Thread(this::read, "raw-http2-reader");
		reader.setDaemon(true);
		reader.start();
	}

	/**
	 * Open a connection that speaks HTTP/2 from its first byte (h2c prior knowledge).
	 */
	public static RawHttp2Connection open(int port) throws IOException {
		return new RawHttp2Connection(port, null);
	}

	/**
	 * Open an HTTP/1.1 connection and upgrade it to h2c with a GET of {@code path}, whose
	 * response arrives as stream 1.
	 */
	public static RawHttp2Connection upgrade(int port, String path) throws IOException {
		return new RawHttp2Connection(port, path);
	}

	private void upgrade(String path) throws IOException {
		String request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
				+ "Upgrade: h2c\r\nHTTP2-Settings: \r\n\r\n";
		this.out.write(request.getBytes(StandardCharsets.US_ASCII));
		this.out.flush();
		// the 101 response, up to its blank line; HTTP/2 frames follow
		InputStream in = this.socket.getInputStream();
		StringBuilder head = new StringBuilder();
		while (!head.toString().endsWith("\r\n\r\n")) {
			int b = in.read();
			if (b < 0) {
				throw new IOException("EOF before the 101 response ended: " + head);
			}
			head.append((char) b);
		}
		if (!head.toString().startsWith("HTTP/1.1 101")) {
			throw new IOException("Not upgraded: " + head);
		}
	}

	/**
	 * Send a GET on stream {@code streamId} (odd, increasing).
	 */
	public void get(int streamId, String path) throws IOException {
		MetaData.Request request = new MetaData.Request("GET", HttpURI.from("http://localhost" + path),
				HttpVersion.HTTP_2, HttpFields.EMPTY);
		write(new HeadersFrame(streamId, request, null, true));
	}

	/**
	 * Send a PING and wait for its acknowledgement: every frame the server wrote before
	 * it has then been read.
	 */
	public void roundTrip(Duration timeout) throws IOException {
		long ping = this.pings.incrementAndGet();
		write(new PingFrame(ping, false));
		Awaitility.await().atMost(timeout).until(() -> this.lastPingAcknowledged >= ping);
	}

	public List<ReceivedGoAway> goAways() {
		return List.copyOf(this.goAways);
	}

	/**
	 * The status of the response on a stream, or {@code null} if none arrived.
	 */
	public Integer status(int streamId) {
		return this.statuses.get(streamId);
	}

	public String body(int streamId) {
		StringBuilder body = this.bodies.get(streamId);
		return (body != null) ? body.toString() : null;
	}

	/**
	 * Whether the response on a stream has arrived complete.
	 */
	public boolean isComplete(int streamId) {
		return this.ended.contains(streamId);
	}

	public boolean wasReset(int streamId) {
		return this.reset.contains(streamId);
	}

	/**
	 * Whether the server has closed the connection.
	 */
	public boolean isClosed() {
		return this.closed;
	}

	private void read() {
		Parser parser = new Parser(ByteBufferPool.NON_POOLING, 8192);
		parser.init(new Parser.Listener() {

			@Override
			public void onHeaders(HeadersFrame frame) {
				if (frame.getMetaData() instanceof MetaData.Response response) {
					RawHttp2Connection.this.statuses.put(frame.getStreamId(), response.getStatus());
				}
				if (frame.isEndStream()) {
					RawHttp2Connection.this.ended.add(frame.getStreamId());
				}
			}

			@Override
			public void onData(DataFrame frame) {
				RawHttp2Connection.this.bodies.computeIfAbsent(frame.getStreamId(), (id) -> new StringBuilder())
					.append(StandardCharsets.UTF_8.decode(frame.getByteBuffer()));
				if (frame.isEndStream()) {
					RawHttp2Connection.this.ended.add(frame.getStreamId());
				}
			}

			@Override
			public void onReset(ResetFrame frame) {
				RawHttp2Connection.this.reset.add(frame.getStreamId());
			}

			@Override
			public void onSettings(SettingsFrame frame) {
				if (!frame.isReply()) {
					writeQuietly(new SettingsFrame(Map.of(), true));
				}
			}

			@Override
			public void onPing(PingFrame frame) {
				if (!frame.isReply()) {
					writeQuietly(new PingFrame(frame.getPayload(), true));
				}
				else {
					RawHttp2Connection.this.lastPingAcknowledged = frame.getPayloadAsLong();
				}
			}

			@Override
			public void onGoAway(GoAwayFrame frame) {
				RawHttp2Connection.this.goAways.add(new ReceivedGoAway(frame.getLastStreamId(), System.nanoTime()));
			}

		});
		byte[] buffer = new byte[16384];
		try {
			InputStream in = this.socket.getInputStream();
			int read;
			while ((read = in.read(buffer)) >= 0) {
				parser.parse(ByteBuffer.wrap(buffer, 0, read));
			}
		}
		catch (IOException ex) {
			// closed
		}
		finally {
			this.closed = true;
		}
	}

	private void writeQuietly(Frame frame) {
		try {
			write(frame);
		}
		catch (IOException ex) {
			// closed
		}
	}

	private synchronized void write(Frame... frames) throws IOException {
		RetainableByteBuffer.Mutable accumulator = new RetainableByteBuffer.DynamicCapacity();
		try {
			for (Frame frame : frames) {
				this.generator.control(accumulator, frame);
			}
			ByteBuffer bytes = accumulator.getByteBuffer();
			byte[] array = new byte[bytes.remaining()];
			bytes.get(array);
			this.out.write(array);
			this.out.flush();
		}
		catch (org.eclipse.jetty.http2.hpack.HpackException ex) {
			throw new IOException(ex);
		}
		finally {
			accumulator.release();
		}
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
