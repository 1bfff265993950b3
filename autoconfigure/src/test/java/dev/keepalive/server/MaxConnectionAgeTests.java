package dev.keepalive.server;

import java.time.Duration;

import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A connection older than {@code max-connection-age} (±10 %) is closed after its next
 * response; younger ones stay open.
 */
class MaxConnectionAgeTests {

	private static final int CONNECTIONS = 3;

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void firstResponseAfterTheAgeClosesTheConnectionAndNoneBefore(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "keepalive.server.max-connection-age=1s")) {
			for (int i = 0; i < CONNECTIONS; i++) {
				try (RawHttpConnection connection = app.connect()) {
					long openedAt = System.nanoTime();
					// younger than the smallest jittered age (0.9 s): kept alive
					for (long at : new long[] { 0, 300, 600, 850 }) {
						sleepUntil(openedAt, at);
						RawHttpResponse response = connection.get("/hello").readResponse();
						assertThat(response.connectionClose()).as("response at %d ms", at).isFalse();
						assertThat(response.header("Keep-Alive")).isNotNull();
					}
					// older than the largest jittered age (1.1 s): closed after this
					// response
					sleepUntil(openedAt, 1200);
					RawHttpResponse response = connection.get("/hello").readResponse();
					assertThat(response.status()).isEqualTo(200);
					assertThat(response.connectionClose()).isTrue();
					assertThat(response.hasHeader("Keep-Alive")).isFalse();
					assertThat(connection.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
				}
			}
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(app.closed(CloseReason.MAX_AGE)).isEqualTo(CONNECTIONS));
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void idleConnectionPastItsAgeIsLeftToTheIdleTimeout(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "keepalive.server.max-connection-age=1s",
				"keepalive.server.idle-timeout=3s"); RawHttpConnection connection = app.connect()) {
			assertThat(connection.get("/hello").readResponse().connectionClose()).isFalse();
			long idleSince = System.nanoTime();
			assertThat(connection.awaitClose(Duration.ofSeconds(10))).isEqualTo(Closure.EOF);
			assertThat(Duration.ofNanos(System.nanoTime() - idleSince)).isGreaterThan(Duration.ofMillis(2900));
			assertThat(app.closed(CloseReason.MAX_AGE)).isZero();
		}
	}

	private static void sleepUntil(long startNanos, long millis) throws InterruptedException {
		long remaining = millis - Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
		if (remaining > 0) {
			Thread.sleep(remaining);
		}
	}

}
