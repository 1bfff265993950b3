package dev.keepalive.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import dev.keepalive.testsupport.WebStack;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request line and headers must be complete within {@code headers-timeout} of their
 * first byte; slow bodies and slow handlers are not affected.
 */
class HeadersTimeoutTests {

	private static final int SLOW_CONNECTIONS = 200;

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void slowlorisConnectionsAreClosedWithinTheDeadlineWhileNormalRequestsAreServed(ServerKind server, WebStack stack)
			throws Exception {
		try (TestApp app = TestApp.start(server, stack, "keepalive.server.headers-timeout=2s")) {
			List<SlowClient> clients = new ArrayList<>();
			ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
			AtomicBoolean normalClientRunning = new AtomicBoolean(true);
			List<Integer> normalStatuses = new CopyOnWriteArrayList<>();
			Thread normalClient = new Thread(() -> requestUntilStopped(app, normalClientRunning, normalStatuses));
			try {
				for (int i = 0; i < SLOW_CONNECTIONS; i++) {
					clients.add(new SlowClient(app.port()));
				}
				normalClient.start();
				// one byte per connection every 500 ms, the request line never completes
				writer.scheduleAtFixedRate(() -> clients.forEach(SlowClient::sendNextByte), 0, 500,
						TimeUnit.MILLISECONDS);
				for (SlowClient client : clients) {
					assertThat(client.closed.await(15, TimeUnit.SECONDS)).as("closed by the server").isTrue();
				}
			}
			finally {
				writer.shutdownNow();
				normalClientRunning.set(false);
				normalClient.join();
				for (SlowClient client : clients) {
					client.socket.close();
				}
			}
			for (SlowClient client : clients) {
				Duration open = Duration.ofNanos(client.closedAt - client.firstByteAt);
				assertThat(open).as("time from first byte to close")
					.isBetween(Duration.ofMillis(1900), Duration.ofSeconds(3));
				if (server != ServerKind.JETTY) {
					// Tomcat can answer safely under the connection's lock, Reactor Netty
					// on its event loop; Jetty just closes
					assertThat(client.response()).startsWith("HTTP/1.1 408 Request Timeout");
				}
			}
			assertThat(normalStatuses).isNotEmpty().containsOnly(200);
			assertThat(app.closed(CloseReason.HEADERS_TIMEOUT)).isEqualTo(SLOW_CONNECTIONS);
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void slowRequestBodyIsNotCutByTheHeadersTimeout(ServerKind server, WebStack stack) throws Exception {
		try (TestApp app = TestApp.start(server, stack, "keepalive.server.headers-timeout=1s");
				RawHttpConnection connection = app.connect()) {
			String body = "0123456789";
			connection.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: "
					+ body.length() + "\r\n\r\n");
			for (char c : body.toCharArray()) {
				Thread.sleep(300);
				connection.send(String.valueOf(c));
			}
			RawHttpResponse response = connection.readResponse();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.bodyText()).isEqualTo(body);
			assertThat(app.closed(CloseReason.HEADERS_TIMEOUT)).isZero();
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void slowHandlerIsNotCutByTheHeadersTimeout(ServerKind server, WebStack stack) throws Exception {
		try (TestApp app = TestApp.start(server, stack, "keepalive.server.headers-timeout=1s");
				RawHttpConnection connection = app.connect()) {
			RawHttpResponse response = connection.get("/work?ms=3000").readResponse();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.bodyText()).isEqualTo("worked 3000");
			assertThat(app.closed(CloseReason.HEADERS_TIMEOUT)).isZero();
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void idleTimeBetweenRequestsIsNotCountedAsHeadersTime(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "keepalive.server.headers-timeout=1s");
				RawHttpConnection connection = app.connect()) {
			assertThat(connection.get("/hello").readResponse().status()).isEqualTo(200);
			Thread.sleep(2500);
			assertThat(connection.get("/hello").readResponse().status()).isEqualTo(200);
			assertThat(app.closed(CloseReason.HEADERS_TIMEOUT)).isZero();
		}
	}

	private static void requestUntilStopped(TestApp app, AtomicBoolean running, List<Integer> statuses) {
		try {
			while (running.get()) {
				try (RawHttpConnection connection = app.connect()) {
					for (int i = 0; i < 10 && running.get(); i++) {
						statuses.add(connection.get("/hello").readResponse().status());
						Thread.sleep(20);
					}
				}
			}
		}
		catch (IOException | InterruptedException ex) {
			statuses.add(-1);
		}
	}

	/**
	 * A connection that sends a request line one byte at a time and records when the
	 * server closes it.
	 */
	private static final class SlowClient {

		private static final byte[] REQUEST = "GET /hello?slowloris=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n"
			.getBytes(StandardCharsets.ISO_8859_1);

		private final Socket socket = new Socket();

		private final CountDownLatch closed = new CountDownLatch(1);

		private final StringBuilder received = new StringBuilder();

		private volatile long firstByteAt;

		private volatile long closedAt;

		private int next;

		SlowClient(int port) throws IOException {
			this.socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
			Thread reader = new Thread(this::readUntilClosed);
			reader.setDaemon(true);
			reader.start();
		}

		void sendNextByte() {
			if (this.closed.getCount() == 0 || this.next >= REQUEST.length) {
				return;
			}
			try {
				OutputStream out = this.socket.getOutputStream();
				out.write(REQUEST[this.next++]);
				out.flush();
				if (this.firstByteAt == 0) {
					this.firstByteAt = System.nanoTime();
				}
			}
			catch (IOException ex) {
				// the server closed it; the reader records when
			}
		}

		private void readUntilClosed() {
			try {
				InputStream in = this.socket.getInputStream();
				int b;
				while ((b = in.read()) != -1) {
					synchronized (this.received) {
						this.received.append((char) b);
					}
				}
			}
			catch (IOException ex) {
				// reset counts as closed
			}
			this.closedAt = System.nanoTime();
			this.closed.countDown();
		}

		String response() {
			synchronized (this.received) {
				return this.received.toString();
			}
		}

	}

}
