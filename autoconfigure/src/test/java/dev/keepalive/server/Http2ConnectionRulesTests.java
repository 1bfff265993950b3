package dev.keepalive.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.keepalive.testsupport.Http2TestClient;
import dev.keepalive.testsupport.Http2Transport;
import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The connection rules on a server with HTTP/2 enabled, on every server, over h2c and h2:
 * HTTP/1.1 negotiated with ALPN keeps the HTTP/1.1 rules; the idle timeout closes a
 * connection with no open stream; {@code max-requests-per-connection} and
 * {@code max-connection-age} end a connection with a graceful GOAWAY after the stream
 * that reached them, so that clients rebalance; past the high-water mark of connections,
 * an idle connection gets its GOAWAY and is closed.
 */
class Http2ConnectionRulesTests {

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("dev.keepalive.testsupport.Http2Transport#withEveryServer")
	void connectionWithNoOpenStreamIsClosedAtTheIdleTimeout(ServerKind server, Http2Transport transport)
			throws Exception {
		try (TestApp app = transport.start(server, "keepalive.server.idle-timeout=2s");
				Http2TestClient client = Http2TestClient.connect(app.port(), transport.tls())) {
			assertThat(client.get("/hello").status(Duration.ofSeconds(5))).isEqualTo(200);
			long idleSince = System.nanoTime();
			// the idle timeout (2 s), not the server's own HTTP/2 default (Tomcat: 20 s)
			assertThat(client.awaitClosed(Duration.ofSeconds(10))).isTrue();
			assertThat(Duration.ofNanos(System.nanoTime() - idleSince)).isGreaterThan(Duration.ofMillis(1900));
			await().atMost(Duration.ofSeconds(5)).until(() -> app.counts().open() == 0);
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void http11ConnectionNegotiatedWithAlpnKeepsTheHttp11Rules(ServerKind server) throws Exception {
		try (TestApp app = Http2Transport.H2.start(server, "keepalive.server.idle-timeout=2s");
				RawHttpConnection connection = RawHttpConnection.openTls(app.port())) {
			RawHttpResponse response = connection.get("/hello").readResponse();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.header("Keep-Alive")).isEqualTo("timeout=2");
			long idleSince = System.nanoTime();
			assertThat(connection.awaitClose(Duration.ofSeconds(10))).isNotEqualTo(Closure.OPEN);
			assertThat(Duration.ofNanos(System.nanoTime() - idleSince)).isGreaterThan(Duration.ofMillis(1900));
			await().atMost(Duration.ofSeconds(5)).until(() -> app.closed(CloseReason.IDLE_TIMEOUT) == 1);
		}
	}

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("dev.keepalive.testsupport.Http2Transport#withEveryServer")
	void lastRequestAllowedEndsTheConnectionWithAGracefulGoAwayThenTheFinalOneOnceNoStreamIsOpen(ServerKind server,
			Http2Transport transport) throws Exception {
		try (TestApp app = transport.start(server, "keepalive.server.max-requests-per-connection=2");
				Http2TestClient client = Http2TestClient.connect(app.port(), transport.tls())) {
			assertThat(client.get("/hello").status(Duration.ofSeconds(5))).isEqualTo(200);
			assertThat(client.goAways()).isEmpty();
			Http2TestClient.Response last = client.get("/hello");
			assertThat(last.status(Duration.ofSeconds(5))).isEqualTo(200);
			assertThat(last.headers().contains("Connection")).isFalse();
			await().atMost(Duration.ofSeconds(5)).until(() -> !client.goAways().isEmpty());
			assertThat(client.goAways().get(0).isGraceful()).isTrue();
			if (server != ServerKind.TOMCAT) {
				// no stream is open: Jetty and Reactor Netty end the connection
				// themselves (Tomcat sends its final GOAWAY at the client's next stream)
				await().atMost(Duration.ofSeconds(5)).until(() -> client.goAways().size() == 2);
				assertThat(client.goAways().get(1).lastStreamId()).isEqualTo(last.streamId());
				assertThat(client.awaitClosed(Duration.ofSeconds(5))).isTrue();
			}
		}
	}

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("dev.keepalive.testsupport.Http2Transport#withEveryServer")
	void firstStreamPastTheMaximumAgeEndsTheConnectionWithAGracefulGoAway(ServerKind server, Http2Transport transport)
			throws Exception {
		try (TestApp app = transport.start(server, "keepalive.server.max-connection-age=1s");
				Http2TestClient client = Http2TestClient.connect(app.port(), transport.tls())) {
			long connected = System.nanoTime();
			assertThat(client.get("/hello").status(Duration.ofSeconds(5))).isEqualTo(200);
			// below the smallest jittered age (0.9 s) the connection is kept
			if (Duration.ofNanos(System.nanoTime() - connected).toMillis() < 900) {
				assertThat(client.goAways()).isEmpty();
			}
			// past the largest (1.1 s), the next stream is served and retires it
			await().pollDelay(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(2)).until(() -> true);
			assertThat(client.get("/hello").status(Duration.ofSeconds(5))).isEqualTo(200);
			await().atMost(Duration.ofSeconds(5)).until(() -> !client.goAways().isEmpty());
			assertThat(client.goAways().get(0).isGraceful()).isTrue();
		}
	}

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("dev.keepalive.testsupport.Http2Transport#withEveryServer")
	void idleConnectionBeyondTheHighWaterMarkGetsAGoAwayAndIsClosed(ServerKind server, Http2Transport transport)
			throws Exception {
		List<Http2TestClient> busy = new ArrayList<>();
		try (TestApp app = transport.start(server, "keepalive.server.pressure.max-connections=10",
				"keepalive.server.pressure.high-water-mark=0.5");
				Http2TestClient idle = Http2TestClient.connect(app.port(), transport.tls())) {
			try {
				// idle after its request, before the connector reaches its mark (5): the
				// connection pressure closes first. A new connection past the mark would
				// depend on its client sending within the grace new connections get.
				assertThat(idle.get("/hello").status(Duration.ofSeconds(5))).isEqualTo(200);
				// five connections with a stream in progress take the connector past the
				// mark
				for (int i = 0; i < 5; i++) {
					Http2TestClient client = Http2TestClient.connect(app.port(), transport.tls());
					busy.add(client);
					client.get("/hang");
				}
				assertThat(idle.awaitClosed(Duration.ofSeconds(10))).isTrue();
				assertThat(idle.goAways()).isNotEmpty();
				await().atMost(Duration.ofSeconds(10)).until(() -> app.endpoints().inFlight() == 5);
				await().atMost(Duration.ofSeconds(5)).until(() -> app.closed(CloseReason.PRESSURE) == 1);
				assertThat(app.counts().open()).isEqualTo(5);
			}
			finally {
				app.endpoints().releaseHangingRequests();
				for (Http2TestClient client : busy) {
					client.close();
				}
			}
		}
	}

}
