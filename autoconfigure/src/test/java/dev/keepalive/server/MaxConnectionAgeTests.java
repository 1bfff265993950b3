package dev.keepalive.server;

import java.time.Duration;
import java.util.LongSummaryStatistics;
import java.util.stream.LongStream;

import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import org.junit.jupiter.api.Test;
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
			// the first request pays for the DispatcherServlet's start-up: not on a timed
			// connection
			try (RawHttpConnection warmUp = app.connect()) {
				assertThat(warmUp.get("/hello").readResponse().status()).isEqualTo(200);
			}
			for (int i = 0; i < CONNECTIONS; i++) {
				long connecting = System.nanoTime();
				try (RawHttpConnection connection = app.connect()) {
					long firstAnswered = 0;
					int keptAlive = 0;
					for (long at : new long[] { 0, 300, 600, 850 }) {
						sleepUntil(connecting, at);
						RawHttpResponse response = connection.get("/hello").readResponse();
						firstAnswered = (firstAnswered != 0) ? firstAnswered : System.nanoTime();
						// The server opened the connection after we began to connect, so
						// it was younger than this when it answered: below the smallest
						// jittered age (0.9 s) it must keep the connection.
						if (Duration.ofNanos(System.nanoTime() - connecting).toMillis() < 900) {
							assertThat(response.connectionClose()).as("response at %d ms", at).isFalse();
							assertThat(response.header("Keep-Alive")).isNotNull();
							keptAlive++;
						}
					}
					assertThat(keptAlive).isGreaterThanOrEqualTo(3);
					// It opened before it answered the first request, so it is older than
					// this: past the largest jittered age (1.1 s) it closes after its
					// answer.
					sleepUntil(firstAnswered, 1200);
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

	@Test
	void eachConnectionGetsItsOwnAgeWithinTenPercentOfTheMaximum() {
		ConnectionPolicy policy = new ConnectionPolicy(new ServerKeepAliveSettings(Duration.ofSeconds(65),
				Duration.ofSeconds(20), null, Duration.ofSeconds(100), true, 240, 240, Duration.ofSeconds(5), null));
		long[] ages = LongStream.range(0, 1000).map((i) -> policy.jitteredMaxAgeNanos()).toArray();
		LongSummaryStatistics statistics = LongStream.of(ages).summaryStatistics();
		assertThat(statistics.getMin()).isGreaterThanOrEqualTo(Duration.ofSeconds(90).toNanos());
		assertThat(statistics.getMax()).isLessThanOrEqualTo(Duration.ofSeconds(110).toNanos());
		// spread over the whole band, so that connections opened together close apart
		assertThat(statistics.getMin()).isLessThan(Duration.ofSeconds(92).toNanos());
		assertThat(statistics.getMax()).isGreaterThan(Duration.ofSeconds(108).toNanos());
		assertThat(LongStream.of(ages).distinct().count()).isGreaterThan(990);
	}

	private static void sleepUntil(long startNanos, long millis) throws InterruptedException {
		long remaining = millis - Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
		if (remaining > 0) {
			Thread.sleep(remaining);
		}
	}

}
