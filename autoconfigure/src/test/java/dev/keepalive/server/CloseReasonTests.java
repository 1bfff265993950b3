package dev.keepalive.server;

import java.time.Duration;

import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each closed connection is counted once, under the reason it closed for.
 */
class CloseReasonTests {

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void idleTimeoutIsCountedOncePerConnection(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "keepalive.server.idle-timeout=1s")) {
			try (RawHttpConnection kept = app.connect(); RawHttpConnection silent = app.connect()) {
				assertThat(kept.get("/hello").readResponse().status()).isEqualTo(200);
				assertThat(kept.awaitClose(Duration.ofSeconds(10))).isEqualTo(Closure.EOF);
				assertThat(silent.awaitClose(Duration.ofSeconds(10))).isEqualTo(Closure.EOF);
			}
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(app.closed(CloseReason.IDLE_TIMEOUT)).isEqualTo(2));
			assertThat(app.closed(CloseReason.CLIENT)).isZero();
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void maxRequestsIsCountedOncePerConnection(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "keepalive.server.max-requests-per-connection=2")) {
			for (int i = 0; i < 3; i++) {
				try (RawHttpConnection connection = app.connect()) {
					connection.get("/hello").readResponse();
					assertThat(connection.get("/hello").readResponse().connectionClose()).isTrue();
					assertThat(connection.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
				}
			}
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(app.closed(CloseReason.MAX_REQUESTS)).isEqualTo(3));
			assertThat(app.closed(CloseReason.CLIENT)).isZero();
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void clientCloseIsCountedAsClient(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server)) {
			for (int i = 0; i < 4; i++) {
				try (RawHttpConnection connection = app.connect()) {
					assertThat(connection.get("/hello").readResponse().status()).isEqualTo(200);
				}
			}
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(app.closed(CloseReason.CLIENT)).isEqualTo(4));
			assertThat(app.closed(CloseReason.IDLE_TIMEOUT)).isZero();
			assertThat(app.counts().open()).isZero();
		}
	}

}
