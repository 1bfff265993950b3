package dev.keepalive.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.keepalive.testsupport.ClientTcpState;
import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import dev.keepalive.testsupport.WebStack;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client must take the response the server waits to send at
 * {@code keepalive.server.min-response-rate}, falling behind it by at most
 * {@code min-data-rate-grace} worth of bytes; a response the server itself writes slowly
 * is not held against its client. Linux only: the rule reads the kernel's TCP tables.
 */
@EnabledOnOs(OS.LINUX)
class ResponseRateTests {

	private static final String MIN_RATE = "keepalive.server.min-response-rate=1MB";

	private static final String GRACE = "keepalive.server.min-data-rate-grace=1s";

	/**
	 * For the clients that must not be reset: room for a pause of the test's own threads
	 * (a collection, a busy machine) without the reader falling behind by the whole
	 * credit.
	 */
	private static final String LONGER_GRACE = "keepalive.server.min-data-rate-grace=3s";

	/**
	 * Small enough that the server's writes wait soon for a client that does not read.
	 */
	private static final int RECEIVE_BUFFER = 32 * 1024;

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void clientThatStopsReadingIsResetOneGraceLater(ServerKind server, WebStack stack) throws Exception {
		try (TestApp app = TestApp.start(server, stack, MIN_RATE, GRACE);
				RawHttpConnection connection = RawHttpConnection.open(app.port(), RECEIVE_BUFFER)) {
			long start = System.nanoTime();
			connection.get("/download?kb=65536");
			assertThat(connection.readHead().status()).isEqualTo(200);
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(app.closed(CloseReason.RESPONSE_RATE)).isEqualTo(1));
			assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time from the request to the reset")
				.isBetween(Duration.ofMillis(900), Duration.ofMillis(3000));
			// seen by the client's kernel without reading: nothing else could have ended
			// it
			// (the end of the response waits behind the bytes the client has not taken)
			await().atMost(Duration.ofSeconds(5)).until(() -> !ClientTcpState.isEstablished(connection.socket()));
			// what the client had received, then the reset
			assertThat(drain(connection, Duration.ofSeconds(5))).isEqualTo(Closure.RESET);
			await().atMost(Duration.ofSeconds(5)).until(() -> app.endpoints().inFlight() == 0);
			try (RawHttpConnection next = app.connect()) {
				assertThat(next.get("/hello").readResponse().status()).isEqualTo(200);
			}
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void clientReadingFasterThanTheMinimumGetsTheWholeResponse(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, MIN_RATE, LONGER_GRACE);
				RawHttpConnection connection = RawHttpConnection.open(app.port(), RECEIVE_BUFFER)) {
			// larger than the server's send buffer (up to 4 MB) and the client's receive
			// buffer together, so that the server's writes wait for the client
			connection.get("/download?kb=8192");
			RawHttpResponse head = connection.readHead();
			assertThat(head.status()).isEqualTo(200);
			// twice the minimum: 32 kB every 16 ms, 2 MB/s
			long read = readPaced(connection.socket().getInputStream(), 32 * 1024, Duration.ofMillis(16),
					Long.parseLong(head.header("Content-Length")));
			assertThat(read).isEqualTo(8192 * 1024);
			assertThat(app.closed(CloseReason.RESPONSE_RATE)).isZero();
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void responseTheServerWritesSlowlyIsNotHeldAgainstItsClient(ServerKind server, WebStack stack) throws Exception {
		try (TestApp app = TestApp.start(server, stack, MIN_RATE, LONGER_GRACE);
				RawHttpConnection connection = RawHttpConnection.open(app.port(), RECEIVE_BUFFER)) {
			// 8 MB, read at twice the minimum so that the server's writes wait for the
			// client, then a 10-byte line every 100 ms for 5 s, far below the minimum;
			// the client takes all it is offered
			connection.get("/download?kb=8192&trickle=50&delayMs=100");
			RawHttpResponse head = connection.readHead();
			assertThat(head.status()).isEqualTo(200);
			InputStream in = connection.socket().getInputStream();
			assertThat(readPaced(in, 32 * 1024, Duration.ofMillis(16), 8192 * 1024)).isEqualTo(8192 * 1024);
			byte[] lines = in.readNBytes(500);
			assertThat(new String(lines, StandardCharsets.US_ASCII)).startsWith("line 0000\n").endsWith("line 0049\n");
			assertThat(app.closed(CloseReason.RESPONSE_RATE)).isZero();
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void clientThatStopsReadingIsKeptWhenTheMinimumIsOff(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "keepalive.server.min-response-rate=0B", GRACE);
				RawHttpConnection connection = RawHttpConnection.open(app.port(), RECEIVE_BUFFER)) {
			connection.get("/download?kb=65536");
			assertThat(connection.readHead().status()).isEqualTo(200);
			await().during(Duration.ofSeconds(3))
				.atMost(Duration.ofSeconds(5))
				.until(() -> app.endpoints().inFlight() == 1 && app.closed(CloseReason.RESPONSE_RATE) == 0);
		}
	}

	/**
	 * Read {@code size} bytes, {@code step} at a time with a pause between.
	 */
	private static long readPaced(InputStream in, int step, Duration pause, long size)
			throws IOException, InterruptedException {
		byte[] buffer = new byte[step];
		long read = 0;
		while (read < size) {
			int n = in.readNBytes(buffer, 0, (int) Math.min(step, size - read));
			if (n == 0) {
				break;
			}
			read += n;
			Thread.sleep(pause.toMillis());
		}
		return read;
	}

	/**
	 * Read and discard what arrives until the connection ends.
	 */
	private static Closure drain(RawHttpConnection connection, Duration timeout) throws IOException {
		connection.socket().setSoTimeout((int) timeout.toMillis());
		InputStream in = connection.socket().getInputStream();
		byte[] buffer = new byte[64 * 1024];
		try {
			while (in.read(buffer) != -1) {
				// discard
			}
			return Closure.EOF;
		}
		catch (SocketTimeoutException ex) {
			return Closure.OPEN;
		}
		catch (SocketException ex) {
			return Closure.RESET;
		}
	}

}
