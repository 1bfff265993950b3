package dev.keepalive.drain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.keepalive.server.CloseReason;
import dev.keepalive.testsupport.ReceivedGoAway;
import dev.keepalive.testsupport.Http2TestClient;
import dev.keepalive.testsupport.Http2Transport;
import dev.keepalive.testsupport.RawHttp2Connection;
import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import dev.keepalive.testsupport.TestEndpoints;
import dev.keepalive.testsupport.TestController;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * HTTP/2 through a drain, on every server, over h2c (prior knowledge and upgrade) and h2
 * over TLS: streams in flight complete, a graceful GOAWAY arrives at DRAIN_DELAY and the
 * final one at DRAINING, no stream above it is processed, idle connections close.
 */
class Http2DrainTests {

	static Stream<Arguments> serversTransportsAndDrainDelays() {
		return Http2Transport.withEveryServer()
			.flatMap((arguments) -> Stream.of("0s", "2s")
				.map((delay) -> Arguments.of(arguments.get()[0], arguments.get()[1], delay)));
	}

	@ParameterizedTest(name = "{0} {1} drain-delay {2}")
	@MethodSource("serversTransportsAndDrainDelays")
	void threeStreamsInFlightCompleteThroughTheDrain(ServerKind server, Http2Transport transport, String drainDelay)
			throws Exception {
		try (TestApp app = start(server, transport, "keepalive.shutdown.drain-delay=" + drainDelay);
				Http2TestClient client = Http2TestClient.connect(app.port(), transport.tls())) {
			TestEndpoints controller = app.endpoints();
			List<Http2TestClient.Response> responses = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				responses.add(client.get("/work?ms=2500"));
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> controller.inFlight() == 3);
			assertThat(app.counts().http2()).isEqualTo(1);
			assertThat(app.counts().streams()).isEqualTo(3);
			assertThat(app.counts().active()).isEqualTo(1);
			assertThat(app.counts().upgraded()).isZero();
			CompletableFuture<Void> closed = app.closeInBackground();
			for (Http2TestClient.Response response : responses) {
				assertThat(response.status(Duration.ofSeconds(20))).isEqualTo(200);
				assertThat(response.body(Duration.ofSeconds(20))).isEqualTo("worked 2500");
				assertThat(response.headers().contains("Connection")).isFalse();
				assertThat(response.headers().contains("Keep-Alive")).isFalse();
			}
			closed.get(30, TimeUnit.SECONDS);
			DrainReport report = app.drain().report();
			assertThat(report.forced()).isZero();
			assertThat(report.requestsServed()).isEqualTo(3);
			assertThat(client.goAways()).first().matches(ReceivedGoAway::isGraceful);
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void gracefulGoAwayAtDrainDelayThenFinalGoAwayAtDrainingAndNoStreamAboveIt(ServerKind server) throws Exception {
		try (TestApp app = start(server, Http2Transport.H2C, "keepalive.shutdown.drain-delay=2s",
				"keepalive.shutdown.idle-grace=500ms");
				RawHttp2Connection connection = RawHttp2Connection.open(app.port());
				RawHttpConnection idleHttp1 = RawHttpConnection.open(app.port())) {
			TestEndpoints controller = app.endpoints();
			assertThat(idleHttp1.get("/hello").readResponse().status()).isEqualTo(200);
			connection.get(1, "/work?ms=5000");
			await().atMost(Duration.ofSeconds(10)).until(() -> controller.inFlight() == 1);
			CompletableFuture<Void> closed = app.closeInBackground(DrainPhase.DRAIN_DELAY);
			await().atMost(Duration.ofSeconds(5)).until(() -> !connection.goAways().isEmpty());
			ReceivedGoAway graceful = connection.goAways().get(0);
			assertThat(graceful.isGraceful()).isTrue();
			// a stream the client had sent before it saw the GOAWAY is served
			connection.get(3, "/hello");
			await().atMost(Duration.ofSeconds(5)).until(() -> connection.isComplete(3));
			assertThat(connection.status(3)).isEqualTo(200);
			app.awaitPhase(DrainPhase.DRAINING);
			long draining = app.drainEvents().enteredNanos(DrainPhase.DRAINING);
			assertThat(graceful.nanos()).isLessThan(draining);
			// past the idle grace (the drain closed the idle HTTP/1.1 connection, after
			// the final GOAWAY went out) new streams are not processed: Jetty has sent
			// the final GOAWAY already; Tomcat sends it in answer to the first stream
			// opened a round trip (as Tomcat measures it) after it paused
			assertThat(idleHttp1.awaitClose(Duration.ofSeconds(10))).isEqualTo(Closure.EOF);
			int hellos = controller.hellos();
			List<Integer> sent = new ArrayList<>();
			for (int stream = 5; finalGoAway(connection) == null && stream < 100; stream += 2) {
				int id = stream;
				connection.get(id, "/hello");
				sent.add(id);
				await().atMost(Duration.ofSeconds(5))
					.until(() -> finalGoAway(connection) != null || connection.isComplete(id));
			}
			ReceivedGoAway last = finalGoAway(connection);
			assertThat(last).isNotNull();
			assertThat(last.nanos()).isGreaterThan(draining);
			assertThat(last.lastStreamId()).isGreaterThanOrEqualTo(3);
			await().atMost(Duration.ofSeconds(10)).until(() -> connection.isComplete(1));
			assertThat(connection.status(1)).isEqualTo(200);
			assertThat(connection.body(1)).isEqualTo("worked 5000");
			closed.get(30, TimeUnit.SECONDS);
			List<Integer> processed = sent.stream().filter((id) -> id <= last.lastStreamId()).toList();
			for (int id : sent) {
				assertThat(connection.status(id)).as("stream %d", id).isEqualTo(processed.contains(id) ? 200 : null);
			}
			assertThat(controller.hellos()).isEqualTo(hellos + processed.size());
			assertThat(app.drain().report().forced()).isZero();
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void connectionOpenedDuringTheDrainDelayServesItsFirstStreamThenGetsAGracefulGoAway(ServerKind server)
			throws Exception {
		try (TestApp app = start(server, Http2Transport.H2C, "keepalive.shutdown.drain-delay=3s")) {
			CompletableFuture<Void> closed = app.closeInBackground(DrainPhase.DRAIN_DELAY);
			try (RawHttp2Connection connection = RawHttp2Connection.open(app.port())) {
				// nothing tells the client to go before it has asked for anything: like
				// an
				// HTTP/1.1 connection, it is served once (a proxy that respects GOAWAY
				// would
				// otherwise have no connection to send its request on)
				connection.roundTrip(Duration.ofSeconds(5));
				assertThat(connection.goAways()).isEmpty();
				connection.get(1, "/hello");
				await().atMost(Duration.ofSeconds(5)).until(() -> connection.isComplete(1));
				assertThat(connection.status(1)).isEqualTo(200);
				await().atMost(Duration.ofSeconds(5)).until(() -> !connection.goAways().isEmpty());
				assertThat(connection.goAways().get(0).isGraceful()).isTrue();
				assertThat(app.drain().phase()).isEqualTo(DrainPhase.DRAIN_DELAY);
			}
			closed.get(30, TimeUnit.SECONDS);
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void streamOpenedJustAfterTheGracefulGoAwayIsServedWithNoDrainDelayNorIdleGrace(ServerKind server)
			throws Exception {
		try (TestApp app = start(server, Http2Transport.H2C, "keepalive.shutdown.drain-delay=0s",
				"keepalive.shutdown.idle-grace=0s");
				RawHttp2Connection connection = RawHttp2Connection.open(app.port())) {
			TestEndpoints controller = app.endpoints();
			connection.get(1, "/work?ms=3000");
			await().atMost(Duration.ofSeconds(10)).until(() -> controller.inFlight() == 1);
			CompletableFuture<Void> closed = app.closeInBackground();
			await().atMost(Duration.ofSeconds(5)).until(() -> !connection.goAways().isEmpty());
			assertThat(connection.goAways().get(0).isGraceful()).isTrue();
			// the client opens a stream as it reads the GOAWAY: the final GOAWAY, a
			// round trip later at least, does not refuse it
			connection.get(3, "/hello");
			await().atMost(Duration.ofSeconds(10)).until(() -> connection.isComplete(3) || connection.wasReset(3));
			assertThat(connection.status(3)).isEqualTo(200);
			closed.get(30, TimeUnit.SECONDS);
			assertThat(connection.status(1)).isEqualTo(200);
			assertThat(app.drain().report().forced()).isZero();
		}
	}

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("dev.keepalive.testsupport.Http2Transport#withEveryServer")
	void idleHttp2ConnectionIsClosedAfterTheIdleGrace(ServerKind server, Http2Transport transport) throws Exception {
		try (TestApp app = start(server, transport, "keepalive.shutdown.drain-delay=0s");
				Http2TestClient client = Http2TestClient.connect(app.port(), transport.tls())) {
			assertThat(client.get("/hello").status(Duration.ofSeconds(5))).isEqualTo(200);
			await().atMost(Duration.ofSeconds(5)).until(() -> app.counts().http2() == 1 && app.counts().idle() == 1);
			CompletableFuture<Void> closed = app.closeInBackground();
			assertThat(client.awaitClosed(Duration.ofSeconds(10))).isTrue();
			closed.get(30, TimeUnit.SECONDS);
			DrainReport report = app.drain().report();
			// closed by the drain at the end of the grace, or by a client that closes an
			// idle connection once it has the GOAWAY (Jetty's does)
			assertThat(report.closedIdle() + app.closed(CloseReason.CLIENT)).isEqualTo(1);
			assertThat(report.forced()).isZero();
			// the grace (1s), not the timeout (20s)
			assertThat(report.draining()).isLessThan(Duration.ofSeconds(5));
		}
	}

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("dev.keepalive.testsupport.Http2Transport#withEveryServer")
	void hangingStreamIsForcedAtTheTimeoutAndItsThreadInterrupted(ServerKind server, Http2Transport transport)
			throws Exception {
		try (TestApp app = start(server, transport, "keepalive.shutdown.drain-delay=0s",
				"keepalive.shutdown.timeout=2s");
				Http2TestClient client = Http2TestClient.connect(app.port(), transport.tls())) {
			TestEndpoints controller = app.endpoints();
			client.get("/hang");
			await().atMost(Duration.ofSeconds(10)).until(() -> controller.inFlight() == 1);
			app.closeInBackground().get(30, TimeUnit.SECONDS);
			DrainReport report = app.drain().report();
			assertThat(report.forced()).isEqualTo(1);
			assertThat(client.awaitClosed(Duration.ofSeconds(5))).isTrue();
			if (controller instanceof TestController servlet) {
				// Reactor Netty's event loop is no request's thread to interrupt
				assertThat(servlet.interrupted()).isEqualTo(1);
			}
		}
	}

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("dev.keepalive.testsupport.Http2Transport#withEveryServer")
	void drainStartedFromAStreamDoesNotWaitForItsOwnConnection(ServerKind server, Http2Transport transport)
			throws Exception {
		try (TestApp app = start(server, transport, "management.endpoint.keepalive.access=unrestricted");
				Http2TestClient client = Http2TestClient.connect(app.port(), transport.tls())) {
			Http2TestClient.Response response = client.postJson("/actuator/keepalive",
					"{\"drainDelay\":\"0s\",\"timeout\":\"20s\"}");
			// waiting for its own stream, the drain would force it at the timeout
			assertThat(response.status(Duration.ofSeconds(15))).isEqualTo(200);
			DrainReport report = app.drain().report();
			assertThat(report.trigger()).isEqualTo("runtime");
			assertThat(report.forced()).isZero();
			assertThat(report.draining()).isLessThan(Duration.ofSeconds(10));
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void h2cUpgradeStreamsCompleteThroughTheDrain(ServerKind server) throws Exception {
		try (TestApp app = start(server, Http2Transport.H2C, "keepalive.shutdown.drain-delay=1s");
				RawHttp2Connection connection = RawHttp2Connection.upgrade(app.port(), "/hello")) {
			TestEndpoints controller = app.endpoints();
			await().atMost(Duration.ofSeconds(5)).until(() -> connection.isComplete(1));
			assertThat(connection.status(1)).isEqualTo(200);
			for (int stream = 3; stream <= 7; stream += 2) {
				connection.get(stream, "/work?ms=2500");
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> controller.inFlight() == 3);
			assertThat(app.counts().http2()).isEqualTo(1);
			assertThat(app.counts().upgraded()).isZero();
			CompletableFuture<Void> closed = app.closeInBackground();
			await().atMost(Duration.ofSeconds(20))
				.until(() -> connection.isComplete(3) && connection.isComplete(5) && connection.isComplete(7));
			for (int stream = 3; stream <= 7; stream += 2) {
				assertThat(connection.status(stream)).isEqualTo(200);
				assertThat(connection.body(stream)).isEqualTo("worked 2500");
			}
			closed.get(30, TimeUnit.SECONDS);
			assertThat(app.drain().report().forced()).isZero();
			assertThat(connection.goAways()).first().matches(ReceivedGoAway::isGraceful);
		}
	}

	private static @Nullable ReceivedGoAway finalGoAway(RawHttp2Connection connection) {
		return connection.goAways().stream().filter((goAway) -> !goAway.isGraceful()).findFirst().orElse(null);
	}

	private static TestApp start(ServerKind server, Http2Transport transport, String... properties) {
		List<String> all = new ArrayList<>(List.of("keepalive.shutdown.timeout=20s"));
		all.addAll(List.of(properties));
		return transport.start(server, all.toArray(String[]::new));
	}

}
