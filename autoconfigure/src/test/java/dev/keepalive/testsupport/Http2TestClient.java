package dev.keepalive.testsupport;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * An HTTP/2 client (Jetty's) on one connection, that records every GOAWAY frame it
 * receives: h2c with prior knowledge, or h2 over TLS (ALPN), trusting any certificate.
 */
public final class Http2TestClient implements AutoCloseable {

	private final HTTP2Client client = new HTTP2Client();

	private final List<ReceivedGoAway> goAways = new CopyOnWriteArrayList<>();

	private final CompletableFuture<Void> closed = new CompletableFuture<>();

	private final int port;

	private final boolean tls;

	private final Session session;

	private Http2TestClient(int port, boolean tls) throws Exception {
		this.port = port;
		this.tls = tls;
		this.client.start();
		Session.Listener listener = new Session.Listener() {

			@Override
			public void onGoAway(Session session, GoAwayFrame frame) {
				Http2TestClient.this.goAways.add(new ReceivedGoAway(frame.getLastStreamId(), System.nanoTime()));
			}

			@Override
			public void onClose(Session session, GoAwayFrame frame, Callback callback) {
				Http2TestClient.this.closed.complete(null);
				callback.succeeded();
			}

		};
		InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
		if (tls) {
			SslContextFactory.Client ssl = new SslContextFactory.Client(true);
			this.client.addBean(ssl);
			ssl.start();
			this.session = this.client.connect(ssl, address, listener).get(10, TimeUnit.SECONDS);
		}
		else {
			this.session = this.client.connect(address, listener).get(10, TimeUnit.SECONDS);
		}
	}

	public static Http2TestClient connect(int port, boolean tls) throws Exception {
		return new Http2TestClient(port, tls);
	}

	/**
	 * Send a GET on a new stream.
	 */
	public Response get(String path) throws Exception {
		Response response = new Response();
		Stream stream = this.session
			.newStream(new HeadersFrame(request("GET", path, HttpFields.EMPTY), null, true), response)
			.get(10, TimeUnit.SECONDS);
		response.streamId = stream.getId();
		return response;
	}

	/**
	 * Send a POST with a JSON body on a new stream.
	 */
	public Response postJson(String path, String json) throws Exception {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		HttpFields headers = HttpFields.build()
			.put(HttpHeader.CONTENT_TYPE, "application/json")
			.put(HttpHeader.CONTENT_LENGTH, String.valueOf(body.length));
		Response response = new Response();
		Stream stream = this.session.newStream(new HeadersFrame(request("POST", path, headers), null, false), response)
			.get(10, TimeUnit.SECONDS);
		response.streamId = stream.getId();
		stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap(body), true)).get(10, TimeUnit.SECONDS);
		return response;
	}

	private MetaData.Request request(String method, String path, HttpFields headers) {
		return new MetaData.Request(method,
				HttpURI.from((this.tls ? "https" : "http") + "://localhost:" + this.port + path), HttpVersion.HTTP_2,
				headers);
	}

	/**
	 * The GOAWAY frames received so far, in order.
	 */
	public List<ReceivedGoAway> goAways() {
		return List.copyOf(this.goAways);
	}

	/**
	 * Whether the server closed the connection within {@code timeout}.
	 */
	public boolean awaitClosed(Duration timeout) {
		try {
			this.closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
			return true;
		}
		catch (Exception ex) {
			return false;
		}
	}

	@Override
	public void close() throws Exception {
		this.client.stop();
	}

	/**
	 * The response on one stream.
	 */
	public static final class Response implements Stream.Listener {

		private final CompletableFuture<Integer> status = new CompletableFuture<>();

		private final CompletableFuture<String> body = new CompletableFuture<>();

		private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		private volatile HttpFields headers = HttpFields.EMPTY;

		private volatile int streamId;

		@Override
		public void onHeaders(Stream stream, HeadersFrame frame) {
			if (frame.getMetaData() instanceof MetaData.Response response) {
				this.headers = response.getHttpFields();
				this.status.complete(response.getStatus());
			}
			if (frame.isEndStream()) {
				this.body.complete("");
			}
			else {
				stream.demand();
			}
		}

		@Override
		public void onDataAvailable(Stream stream) {
			while (true) {
				Stream.Data data = stream.readData();
				if (data == null) {
					stream.demand();
					return;
				}
				ByteBuffer buffer = data.frame().getByteBuffer();
				byte[] chunk = new byte[buffer.remaining()];
				buffer.get(chunk);
				synchronized (this.bytes) {
					this.bytes.writeBytes(chunk);
				}
				data.release();
				if (data.frame().isEndStream()) {
					this.body.complete(this.bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
					return;
				}
			}
		}

		@Override
		public void onReset(Stream stream, org.eclipse.jetty.http2.frames.ResetFrame frame, Callback callback) {
			fail(new IllegalStateException("Stream reset with error " + frame.getError()));
			callback.succeeded();
		}

		@Override
		public void onFailure(Stream stream, int error, String reason, Throwable failure, Callback callback) {
			fail(failure);
			callback.succeeded();
		}

		private void fail(Throwable failure) {
			this.status.completeExceptionally(failure);
			this.body.completeExceptionally(failure);
		}

		public int streamId() {
			return this.streamId;
		}

		public int status(Duration timeout) throws Exception {
			return this.status.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}

		public String body(Duration timeout) throws Exception {
			return this.body.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}

		public HttpFields headers() {
			return this.headers;
		}

		/**
		 * Whether the stream has ended one way or another.
		 */
		public boolean isDone() {
			return this.body.isDone();
		}

	}

}
