package dev.keepalive.drain;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import dev.keepalive.testsupport.WebStack;
import dev.keepalive.testsupport.TestController;
import dev.keepalive.testsupport.TestEndpoints;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The phased drain on context close, byte by byte, on both servers.
 */
class DrainTests {

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void drainWithNoConnectionsEndsAtOnceAndPublishesEveryPhaseInOrder(ServerKind server, WebStack stack) {
		// an idle grace long enough that waiting for it could not pass for "at once" on a
		// busy machine
		try (TestApp app = TestApp.start(server, stack, "keepalive.shutdown.drain-delay=0s",
				"keepalive.shutdown.idle-grace=8s")) {
			ServerDrain drain = app.drain();
			app.close();
			DrainReport report = drain.report();
			assertThat(report).isNotNull();
			assertThat(report.trigger()).isEqualTo("shutdown");
			assertThat(report.total()).isLessThan(Duration.ofSeconds(4));
			assertThat(drain.phase()).isEqualTo(DrainPhase.STOPPED);
			// no connection was open: nothing to force, so no FORCE_CLOSING
			assertThat(app.drainEvents().phases()).containsExactly(DrainPhase.DRAIN_DELAY, DrainPhase.DRAINING,
					DrainPhase.STOPPED);
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void withNoDrainDelayConnectionsAreToldToCloseOnlyOnceTheServerHasStoppedAccepting(ServerKind server,
			WebStack stack) throws Exception {
		// told to close while the server still accepts, a proxy reconnects at once, into
		// the accept queue of a socket about to close
		try (TestApp app = TestApp.start(server, stack, "keepalive.shutdown.drain-delay=0s",
				"keepalive.shutdown.idle-grace=10s")) {
			RawHttpConnection connection = app.connect();
			assertThat(connection.get("/hello").readResponse().connectionClose()).isFalse();
			RawHttpConnection inFlight = app.connect().get("/work?ms=1000");
			await().atMost(Duration.ofSeconds(5)).until(() -> app.endpoints().inFlight() == 1);
			CompletableFuture<RawHttpResponse> whileAccepting = new CompletableFuture<>();
			CompletableFuture<RawHttpResponse> inFlightWhenDrainBegan = new CompletableFuture<>();
			// on the drain's thread as it enters DRAIN_DELAY: the server still accepts
			app.context().addApplicationListener(new PhaseListener(DrainPhase.DRAIN_DELAY, () -> {
				try {
					RawHttpResponse response = connection.get("/hello").readResponse();
					// its exchange over (WebFlux on a servlet container ends it a moment
					// after the response), the connection waits for its next request
					await().atMost(Duration.ofSeconds(5)).until(() -> app.counts().idle() == 1);
					whileAccepting.complete(response);
					inFlightWhenDrainBegan.complete(inFlight.readResponse());
				}
				catch (IOException ex) {
					whileAccepting.completeExceptionally(ex);
					inFlightWhenDrainBegan.completeExceptionally(ex);
				}
			}));
			CompletableFuture<Void> closed = app.closeInBackground(DrainPhase.DRAINING);

			RawHttpResponse accepting = whileAccepting.get(10, TimeUnit.SECONDS);
			assertThat(accepting.status()).isEqualTo(200);
			assertThat(accepting.connectionClose()).isFalse();
			// as it would have been with a drain delay
			RawHttpResponse slow = inFlightWhenDrainBegan.get(10, TimeUnit.SECONDS);
			assertThat(slow.status()).isEqualTo(200);
			assertThat(slow.connectionClose()).isTrue();
			assertThat(inFlight.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			RawHttpResponse draining = connection.get("/hello").readResponse();
			assertThat(draining.status()).isEqualTo(200);
			assertThat(draining.connectionClose()).isTrue();
			assertThat(connection.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			closed.get(30, TimeUnit.SECONDS);
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void duringDrainDelayReadinessIsDownAndNewConnectionsAreServedWithConnectionClose(ServerKind server, WebStack stack)
			throws Exception {
		try (TestApp app = TestApp.start(server, stack, "keepalive.shutdown.drain-delay=3s")) {
			ServerDrain drain = app.drain();
			RawHttpConnection probes = app.connect();
			assertThat(probes.get("/actuator/health/readiness").readResponse().status()).isEqualTo(200);
			CompletableFuture<Void> closed = app.closeInBackground(DrainPhase.DRAIN_DELAY);

			RawHttpResponse readiness = probes.get("/actuator/health/readiness").readResponse();
			assertThat(readiness.status()).isEqualTo(503);
			assertThat(readiness.connectionClose()).isTrue();
			try (RawHttpConnection liveness = app.connect()) {
				RawHttpResponse response = liveness.get("/actuator/health/liveness").readResponse();
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.connectionClose()).isTrue();
			}
			try (RawHttpConnection fresh = app.connect()) {
				RawHttpResponse response = fresh.get("/hello").readResponse();
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.connectionClose()).isTrue();
				assertThat(response.hasHeader("Keep-Alive")).isFalse();
				assertThat(fresh.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			}
			assertThat(drain.phase()).isEqualTo(DrainPhase.DRAIN_DELAY);
			closed.get(30, TimeUnit.SECONDS);
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void responseClosedByTheDrainKeepsItsChunkedFraming(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "keepalive.shutdown.drain-delay=3s")) {
			CompletableFuture<Void> closed = app.closeInBackground(DrainPhase.DRAIN_DELAY);
			try (RawHttpConnection connection = app.connect()) {
				RawHttpResponse response = connection.get("/stream?chunks=3&delayMs=10").readResponse();
				assertThat(response.connectionClose()).isTrue();
				assertThat(response.framing()).isEqualTo("chunked");
				assertThat(response.bodyText()).isEqualTo("chunk 0\nchunk 1\nchunk 2\n");
				assertThat(connection.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			}
			closed.get(30, TimeUnit.SECONDS);
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void keepAliveResponseCompletingDuringDrainDelayLeavesItsConnectionForOneMoreRequest(ServerKind server)
			throws Exception {
		try (TestApp app = TestApp.start(server, "keepalive.shutdown.drain-delay=4s")) {
			ServerDrain drain = app.drain();
			RawHttpConnection streaming = app.connect().get("/stream?chunks=4&delayMs=300");
			// committed with keep-alive before the drain
			RawHttpResponse head = streaming.readHead();
			assertThat(head.connectionClose()).isFalse();
			CompletableFuture<Void> closed = app.closeInBackground(DrainPhase.DRAIN_DELAY);
			assertNextRequestIsServedWithConnectionClose(streaming, head);
			assertThat(drain.phase()).isEqualTo(DrainPhase.DRAIN_DELAY);
			closed.get(30, TimeUnit.SECONDS);
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void withNoDrainDelayAKeepAliveResponseCompletingAfterTheServerStoppedAcceptingLeavesItsConnectionForOneMoreRequest(
			ServerKind server) throws Exception {
		// ended right after the response, the connection would drop a request the client
		// sent at once (nginx did); Jetty's own connector shutdown did that
		try (TestApp app = TestApp.start(server, "keepalive.shutdown.drain-delay=0s",
				"keepalive.shutdown.idle-grace=10s")) {
			RawHttpConnection streaming = app.connect().get("/stream?chunks=4&delayMs=500");
			RawHttpResponse head = streaming.readHead();
			assertThat(head.connectionClose()).isFalse();
			CompletableFuture<Void> closed = app.closeInBackground(DrainPhase.DRAINING);
			// the server has stopped accepting while the response is still streaming
			assertThat(app.endpoints().inFlight()).isEqualTo(1);
			assertNextRequestIsServedWithConnectionClose(streaming, head);
			closed.get(30, TimeUnit.SECONDS);
			assertThat(app.drain().report().closedAfterResponse()).isEqualTo(1);
		}
	}

	/**
	 * Read the rest of a four-chunk stream committed with keep-alive, then reuse its
	 * connection at once, as the client may: the request is served, with
	 * {@code Connection: close}, then the connection ends.
	 */
	private static void assertNextRequestIsServedWithConnectionClose(RawHttpConnection streaming, RawHttpResponse head)
			throws IOException {
		RawHttpResponse streamed = streaming.readBody(head);
		assertThat(streamed.bodyText()).isEqualTo("chunk 0\nchunk 1\nchunk 2\nchunk 3\n");
		RawHttpResponse next = streaming.get("/hello").readResponse();
		assertThat(next.status()).isEqualTo(200);
		assertThat(next.connectionClose()).isTrue();
		assertThat(streaming.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
	}

	@ParameterizedTest(name = "{0}, server.shutdown={1}")
	@CsvSource({ "TOMCAT, graceful", "TOMCAT, immediate", "JETTY, graceful", "JETTY, immediate", "NETTY, graceful",
			"NETTY, immediate" })
	void drainingRefusesNewConnectionsAndServesEveryRequestAlreadyOnItsWay(ServerKind server, String shutdown)
			throws Exception {
		try (TestApp app = TestApp.start(server, "server.shutdown=" + shutdown, "keepalive.shutdown.drain-delay=0s",
				"keepalive.shutdown.timeout=20s")) {
			ServerDrain drain = app.drain();
			int port = app.port();
			RawHttpConnection idle = app.connect();
			assertThat(idle.get("/hello").readResponse().connectionClose()).isFalse();
			RawHttpConnection arriving = app.connect();
			String post = RawHttpConnection.request("POST", "/echo", "payload");
			int split = post.indexOf("Content-Type");
			arriving.send(post.substring(0, split));
			RawHttpConnection slow = app.connect().get("/work?ms=2000");
			RawHttpConnection streaming = app.connect().get("/stream?chunks=6&delayMs=300");
			RawHttpResponse streamingHead = streaming.readHead();
			await().atMost(Duration.ofSeconds(5))
				.until(() -> app.endpoints().inFlight() == 2 && app.counts().idle() == 1);

			CompletableFuture<Void> closed = app.closeInBackground(DrainPhase.DRAINING);

			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> RawHttpConnection.open(port));

			arriving.send(post.substring(split));
			RawHttpResponse posted = arriving.readResponse();
			assertThat(posted.status()).isEqualTo(200);
			assertThat(posted.bodyText()).isEqualTo("payload");
			assertThat(posted.connectionClose()).isTrue();
			assertThat(arriving.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			assertThat(app.endpoints().posts()).isEqualTo(1);

			RawHttpResponse slowResponse = slow.readResponse();
			assertThat(slowResponse.status()).isEqualTo(200);
			assertThat(slowResponse.bodyText()).isEqualTo("worked 2000");
			assertThat(slowResponse.connectionClose()).isTrue();
			assertThat(slow.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);

			RawHttpResponse streamed = streaming.readBody(streamingHead);
			assertThat(streamed.status()).isEqualTo(200);
			assertThat(streamed.bodyText()).isEqualTo("chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\nchunk 5\n");
			assertThat(streaming.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);

			// the idle connection had its grace, and nothing came
			assertThat(idle.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			closed.get(30, TimeUnit.SECONDS);
			DrainReport report = drain.report();
			assertThat(report.forced()).isZero();
			// the idle connection, and the stream's: committed with keep-alive before a
			// drain with no drain delay, it could bring one more request in the grace
			assertThat(report.closedIdle()).isEqualTo(2);
			// the POST and the slow request
			assertThat(report.requestsServed()).isEqualTo(2);
			assertThat(report.closedAfterResponse()).isEqualTo(2);
			assertThat(report.draining()).isLessThan(Duration.ofSeconds(10));
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void requestInFlightWhenDrainingBeginsIsAnsweredWithConnectionCloseWhileNewConnectionsAreRefused(ServerKind server,
			WebStack stack) throws Exception {
		try (TestApp app = TestApp.start(server, stack, "keepalive.shutdown.drain-delay=0s",
				"keepalive.shutdown.timeout=20s")) {
			int port = app.port();
			RawHttpConnection slow = app.connect().get("/work?ms=2000");
			await().atMost(Duration.ofSeconds(5)).until(() -> app.endpoints().inFlight() == 1);
			CompletableFuture<Void> closed = app.closeInBackground(DrainPhase.DRAINING);
			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> RawHttpConnection.open(port));
			RawHttpResponse response = slow.readResponse();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.bodyText()).isEqualTo("worked 2000");
			assertThat(response.connectionClose()).isTrue();
			assertThat(slow.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			closed.get(30, TimeUnit.SECONDS);
			assertThat(app.drain().report().forced()).isZero();
			assertThat(app.drain().report().closedAfterResponse()).isEqualTo(1);
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void idleConnectionMayBringOneRequestWithinTheIdleGraceAndIsClosedAfterIt(ServerKind server, WebStack stack)
			throws Exception {
		Duration grace = Duration.ofSeconds(3);
		try (TestApp app = TestApp.start(server, stack, "keepalive.shutdown.drain-delay=0s",
				"keepalive.shutdown.idle-grace=" + grace.toSeconds() + "s", "keepalive.shutdown.timeout=20s")) {
			RawHttpConnection late = app.connect();
			RawHttpConnection silent = app.connect();
			assertThat(late.get("/hello").readResponse().connectionClose()).isFalse();
			assertThat(silent.get("/hello").readResponse().connectionClose()).isFalse();
			await().atMost(Duration.ofSeconds(5)).until(() -> app.counts().idle() == 2);
			CompletableFuture<Void> closed = app.closeInBackground(DrainPhase.DRAINING);
			long draining = app.drainEvents().enteredNanos(DrainPhase.DRAINING);
			// a client that reuses its pooled connection half a second into DRAINING
			Thread.sleep(500);
			RawHttpResponse response = late.get("/hello").readResponse();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.connectionClose()).isTrue();
			assertThat(late.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			// the other one is closed at the end of the grace, before it sends anything
			assertThat(silent.awaitClose(Duration.ofSeconds(10))).isEqualTo(Closure.EOF);
			assertThat(Duration.ofNanos(System.nanoTime() - draining)).isGreaterThan(grace.minusMillis(100));
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> silent.get("/hello").readResponse().status());
			closed.get(30, TimeUnit.SECONDS);
			DrainReport report = app.drain().report();
			assertThat(report.closedIdle()).isEqualTo(1);
			assertThat(report.closedAfterResponse()).isEqualTo(1);
			assertThat(report.requestsServed()).isEqualTo(1);
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void newConnectionThatHasNotSentItsRequestYetIsServedWithinTheIdleGrace(ServerKind server, WebStack stack)
			throws Exception {
		try (TestApp app = TestApp.start(server, stack, "keepalive.shutdown.drain-delay=0s",
				"keepalive.shutdown.timeout=20s")) {
			RawHttpConnection justOpened = app.connect();
			RawHttpConnection silent = app.connect();
			await().atMost(Duration.ofSeconds(5)).until(() -> app.counts().open() == 2);
			CompletableFuture<Void> closed = app.closeInBackground(DrainPhase.DRAINING);
			// its client connected a moment ago and its request is on the way
			RawHttpResponse response = justOpened.get("/hello").readResponse();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.connectionClose()).isTrue();
			assertThat(silent.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			closed.get(30, TimeUnit.SECONDS);
			assertThat(app.drain().report().closedIdle()).isEqualTo(1);
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void idleGraceOfZeroClosesIdleConnectionsAtOnce(ServerKind server, WebStack stack) throws Exception {
		try (TestApp app = TestApp.start(server, stack, "keepalive.shutdown.drain-delay=0s",
				"keepalive.shutdown.idle-grace=0s", "keepalive.shutdown.timeout=20s")) {
			RawHttpConnection idle = app.connect();
			assertThat(idle.get("/hello").readResponse().status()).isEqualTo(200);
			await().atMost(Duration.ofSeconds(5)).until(() -> app.counts().idle() == 1);
			CompletableFuture<Void> closed = app.closeInBackground();
			assertThat(idle.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			closed.get(30, TimeUnit.SECONDS);
			assertThat(app.drain().report().closedIdle()).isEqualTo(1);
			// far less than the default grace of 1s
			assertThat(app.drain().report().draining()).isLessThan(Duration.ofMillis(900));
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void separateManagementPortKeepsAnsweringProbesWhileTheMainServerDrains(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "management.server.port=0", "keepalive.shutdown.drain-delay=0s")) {
			ServerDrain drain = app.drain();
			int port = app.port();
			int managementPort = app.context().getEnvironment().getProperty("local.management.port", Integer.class);
			RawHttpConnection slow = app.connect().get("/work?ms=3000");
			await().atMost(Duration.ofSeconds(5)).until(() -> app.endpoints().inFlight() == 1);
			CompletableFuture<Void> closed = app.closeInBackground(DrainPhase.DRAINING);
			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> RawHttpConnection.open(port));
			// Tomcat closes the connection after a 503: one connection per probe
			try (RawHttpConnection probe = RawHttpConnection.open(managementPort)) {
				assertThat(probe.get("/actuator/health/readiness").readResponse().status()).isEqualTo(503);
			}
			try (RawHttpConnection probe = RawHttpConnection.open(managementPort)) {
				assertThat(probe.get("/actuator/health/liveness").readResponse().status()).isEqualTo(200);
			}
			assertThat(drain.phase()).isEqualTo(DrainPhase.DRAINING);
			assertThat(slow.readResponse().status()).isEqualTo(200);
			closed.get(30, TimeUnit.SECONDS);
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void handlerThatNeverReturnsIsForceClosedAtTheTimeoutAndItsThreadInterrupted(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "keepalive.shutdown.drain-delay=0s",
				"keepalive.shutdown.timeout=2s")) {
			ServerDrain drain = app.drain();
			TestEndpoints endpoints = app.endpoints();
			RawHttpConnection hanging = app.connect().get("/hang");
			await().atMost(Duration.ofSeconds(5)).until(() -> endpoints.inFlight() == 1);
			CompletableFuture<Void> closed = app.closeInBackground();
			await().atMost(Duration.ofSeconds(20)).until(() -> drain.report() != null);
			DrainReport report = drain.report();
			assertThat(report.forced()).isEqualTo(1);
			assertThat(report.draining()).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(4));
			assertThat(app.drainEvents().phases()).containsExactly(DrainPhase.DRAIN_DELAY, DrainPhase.DRAINING,
					DrainPhase.FORCE_CLOSING, DrainPhase.STOPPED);
			assertThat(hanging.awaitClose(Duration.ofSeconds(5))).isIn(Closure.EOF, Closure.RESET);
			// the handler gave up when its thread was interrupted (on Reactor Netty, its
			// exchange was cancelled as its connection closed), so Spring Boot's own
			// graceful shutdown has nothing left to wait for
			closed.get(10, TimeUnit.SECONDS);
			if (endpoints instanceof TestController controller) {
				assertThat(controller.interrupted()).isEqualTo(1);
			}
			assertThat(endpoints.inFlight()).isZero();
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void runtimeDrainStopsTheServerKeepsTheApplicationRunningAndIsFinal(ServerKind server, WebStack stack)
			throws IOException {
		try (TestApp app = TestApp.start(server, stack)) {
			int port = app.port();
			RawHttpConnection idle = app.connect();
			assertThat(idle.get("/hello").readResponse().status()).isEqualTo(200);
			await().atMost(Duration.ofSeconds(5)).until(() -> app.counts().idle() == 1);
			DrainReport report = app.drain().drain(Duration.ZERO, Duration.ofSeconds(5));
			assertThat(report.trigger()).isEqualTo("runtime");
			assertThat(report.closedIdle()).isEqualTo(1);
			assertThat(idle.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> RawHttpConnection.open(port));
			assertThat(app.context().isActive()).isTrue();
			// the instance stays out of rotation: it has no server to take traffic with
			assertThat(app.context().getBean(ApplicationAvailability.class).getReadinessState())
				.isEqualTo(ReadinessState.REFUSING_TRAFFIC);
			assertThat(app.drain().drain(Duration.ZERO, Duration.ofSeconds(5))).isSameAs(report);
			// the shutdown that follows returns the same report: the server is gone
			app.close();
			assertThat(app.drain().report()).isSameAs(report);
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void afterAStopAndStartTheServerKeepsConnectionsAliveAgainAndTheNextStopDrainsAgain(ServerKind server,
			WebStack stack) throws Exception {
		try (TestApp app = TestApp.start(server, stack, "keepalive.shutdown.drain-delay=0s")) {
			app.context().stop();
			DrainReport first = app.drain().report();
			assertThat(first).isNotNull();
			app.context().start();
			assertThat(app.drain().phase()).isEqualTo(DrainPhase.SERVING);
			try (RawHttpConnection connection = app.connect()) {
				RawHttpResponse response = connection.get("/hello").readResponse();
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.connectionClose()).isFalse();
				assertThat(response.hasHeader("Keep-Alive")).isTrue();
				assertThat(connection.get("/actuator/health/readiness").readResponse().status()).isEqualTo(200);
				await().atMost(Duration.ofSeconds(5)).until(() -> app.counts().idle() == 1);
				app.close();
				assertThat(connection.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			}
			DrainReport second = app.drain().report();
			assertThat(second).isNotSameAs(first);
			assertThat(second.trigger()).isEqualTo("shutdown");
			assertThat(second.closedIdle()).isEqualTo(1);
		}
	}

	/**
	 * Every stop and start drains and closes the listening socket, and every start opens
	 * a new one, which must accept: on Jetty, an acceptor thread interrupted by the stop
	 * and not run again before the start took the interrupt into {@code accept()} on the
	 * new socket, which closed it (connection refused). Busy threads keep the cores
	 * contended, as on a loaded CI machine, which widens that window.
	 */
	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void everyOneOfManyQuickStopsAndStartsLeavesTheServerAccepting(ServerKind server, WebStack stack) throws Exception {
		try (TestApp app = TestApp.start(server, stack, "keepalive.shutdown.drain-delay=0s");
				BusyThreads busy = BusyThreads.start(2)) {
			for (int restart = 1; restart <= 30; restart++) {
				app.context().stop();
				app.context().start();
				try (RawHttpConnection connection = app.connect()) {
					assertThat(connection.get("/hello").readResponse().status()).as("after restart %d", restart)
						.isEqualTo(200);
				}
			}
		}
	}

	/**
	 * Runs an action as the drain enters a phase, on the drain's thread.
	 */
	private record PhaseListener(DrainPhase phase,
			Runnable action) implements ApplicationListener<DrainPhaseChangedEvent> {

		@Override
		public void onApplicationEvent(DrainPhaseChangedEvent event) {
			if (event.getPhase() == this.phase) {
				this.action.run();
			}
		}

	}

	/**
	 * Threads that keep the CPU busy until closed.
	 */
	private static final class BusyThreads implements AutoCloseable {

		private volatile boolean busy = true;

		static BusyThreads start(int count) {
			BusyThreads threads = new BusyThreads();
			for (int i = 0; i < count; i++) {
				Thread thread = new Thread(threads::spin, "busy-" + i);
				thread.setDaemon(true);
				thread.start();
			}
			return threads;
		}

		private void spin() {
			while (this.busy) {
				Thread.onSpinWait();
			}
		}

		@Override
		public void close() {
			this.busy = false;
		}

	}

}
