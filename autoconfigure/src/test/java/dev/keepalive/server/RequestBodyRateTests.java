package dev.keepalive.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import dev.keepalive.testsupport.WebStack;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A request body the application waits for must arrive at
 * {@code keepalive.server.min-request-body-rate} once it has waited
 * {@code min-data-rate-grace}; an application slower than its client is not its client's
 * fault.
 */
class RequestBodyRateTests {

	private static final String MIN_RATE = "keepalive.server.min-request-body-rate=100B";

	private static final String GRACE = "keepalive.server.min-data-rate-grace=1s";

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void bodySlowerThanTheMinimumIsAnsweredWith408AndClosedAfterTheGrace(ServerKind server, WebStack stack)
			throws Exception {
		try (TestApp app = TestApp.start(server, stack, MIN_RATE, GRACE);
				RawHttpConnection connection = app.connect();
				Trickle trickle = new Trickle(connection)) {
			connection.send(postHead("/echo", 1000));
			long start = System.nanoTime();
			// 5 bytes per second
			trickle.start(1, Duration.ofMillis(200), 1000);
			RawHttpResponse response = connection.readResponse();
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			assertThat(response.status()).isEqualTo(408);
			assertThat(response.connectionClose()).isTrue();
			assertThat(took).as("time from the headers to the 408")
				.isBetween(Duration.ofMillis(900), Duration.ofMillis(2500));
			assertThat(connection.awaitClose(Duration.ofSeconds(5))).isNotEqualTo(Closure.OPEN);
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(app.closed(CloseReason.BODY_RATE)).isEqualTo(1));
			assertThat(app.endpoints().posts()).isZero();
			try (RawHttpConnection next = app.connect()) {
				assertThat(next.get("/hello").readResponse().status()).isEqualTo(200);
			}
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void bodyThatStopsArrivingIsAnsweredWith408AfterTheGrace(ServerKind server, WebStack stack) throws Exception {
		try (TestApp app = TestApp.start(server, stack, MIN_RATE, GRACE);
				RawHttpConnection connection = app.connect()) {
			long start = System.nanoTime();
			connection.send(postHead("/echo", 1000) + "0123456789");
			RawHttpResponse response = connection.readResponse();
			assertThat(response.status()).isEqualTo(408);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900),
					Duration.ofMillis(2500));
			assertThat(connection.awaitClose(Duration.ofSeconds(5))).isNotEqualTo(Closure.OPEN);
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void bodyJustAboveTheMinimumIsServed(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, MIN_RATE, GRACE);
				RawHttpConnection connection = app.connect();
				Trickle trickle = new Trickle(connection)) {
			connection.send(postHead("/echo", 450));
			// 150 bytes per second for 3 seconds
			trickle.start(15, Duration.ofMillis(100), 450);
			RawHttpResponse response = connection.readResponse();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).hasSize(450);
			assertThat(app.closed(CloseReason.BODY_RATE)).isZero();
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void applicationReadingSlowerThanTheMinimumIsNotEnded(ServerKind server, WebStack stack) throws Exception {
		try (TestApp app = TestApp.start(server, stack, "keepalive.server.min-request-body-rate=100KB", GRACE);
				RawHttpConnection connection = app.connect()) {
			// the whole body at once, larger than one read of either server; the
			// application reads 4 kB every 250 ms, 16 kB/s
			connection.send(postHead("/read-slowly?size=4096&pauseMs=250", 32768) + "x".repeat(32768));
			RawHttpResponse response = connection.readResponse();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.bodyText()).isEqualTo("read 32768");
			assertThat(response.connectionClose()).isFalse();
			assertThat(app.closed(CloseReason.BODY_RATE)).isZero();
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void slowBodyIsServedWhenTheMinimumIsOff(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "keepalive.server.min-request-body-rate=0B", GRACE);
				RawHttpConnection connection = app.connect();
				Trickle trickle = new Trickle(connection)) {
			connection.send(postHead("/echo", 15));
			trickle.start(1, Duration.ofMillis(200), 15);
			RawHttpResponse response = connection.readResponse();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).hasSize(15);
			assertThat(app.closed(CloseReason.BODY_RATE)).isZero();
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void slowBodyAfterTheResponseStartedIsClosedWithout408(ServerKind server, WebStack stack) throws Exception {
		try (TestApp app = TestApp.start(server, stack, MIN_RATE, GRACE);
				RawHttpConnection connection = app.connect();
				Trickle trickle = new Trickle(connection)) {
			connection.send(postHead("/commit-then-read", 1000));
			trickle.start(1, Duration.ofMillis(200), 1000);
			assertThat(connection.readHead().status()).isEqualTo(200);
			// nothing more: no 408 after the response began, and no end of its body
			assertThat(connection.awaitClose(Duration.ofSeconds(5))).isNotEqualTo(Closure.OPEN);
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(app.closed(CloseReason.BODY_RATE)).isEqualTo(1));
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void slowBodyTheApplicationLeavesUnreadDoesNotHoldTheConnectionAfterTheResponse(ServerKind server)
			throws Exception {
		try (TestApp app = TestApp.start(server, MIN_RATE, GRACE);
				RawHttpConnection connection = app.connect();
				Trickle trickle = new Trickle(connection)) {
			connection.send(postHead("/ignore", 1000));
			trickle.start(1, Duration.ofMillis(200), 1000);
			RawHttpResponse response = connection.readResponse();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.bodyText()).isEqualTo("ignored");
			// Tomcat swallows the rest to keep the connection, Jetty closes it at once
			assertThat(connection.awaitClose(Duration.ofSeconds(4))).isNotEqualTo(Closure.OPEN);
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(app.counts().open()).isZero());
		}
	}

	private static String postHead(String path, int contentLength) {
		return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: "
				+ contentLength + "\r\n\r\n";
	}

	/**
	 * Sends a body a few bytes at a time on its own thread, until it is all sent or the
	 * server closes the connection.
	 */
	private static final class Trickle implements AutoCloseable {

		private final RawHttpConnection connection;

		private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

		private int sent;

		Trickle(RawHttpConnection connection) {
			this.connection = connection;
		}

		void start(int bytesPerTick, Duration tick, int total) {
			byte[] bytes = "a".repeat(bytesPerTick).getBytes(StandardCharsets.ISO_8859_1);
			this.executor.scheduleAtFixedRate(() -> {
				if (this.sent >= total) {
					return;
				}
				try {
					int count = Math.min(bytes.length, total - this.sent);
					this.connection.send(new String(bytes, 0, count, StandardCharsets.ISO_8859_1));
					this.sent += count;
				}
				catch (IOException ex) {
					// closed by the server
					this.executor.shutdown();
				}
			}, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
		}

		@Override
		public void close() {
			this.executor.shutdownNow();
		}

	}

}
