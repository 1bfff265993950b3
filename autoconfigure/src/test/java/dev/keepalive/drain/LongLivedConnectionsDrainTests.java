package dev.keepalive.drain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.keepalive.emitter.DrainAwareEmitters;
import dev.keepalive.emitter.DrainAwareFluxes;
import dev.keepalive.server.CloseReason;
import dev.keepalive.testsupport.Background;
import dev.keepalive.testsupport.LongLivedConnectionsConfig;
import dev.keepalive.testsupport.ReactiveLongLivedConnectionsConfig;
import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.RawWebSocket;
import dev.keepalive.testsupport.RawWebSocket.Frame;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import dev.keepalive.testsupport.WebStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * WebSocket sessions and SSE streams never finish by themselves: at DRAINING they are
 * told to go, and the drain does not wait for its timeout on their account. Under Spring
 * MVC and WebFlux.
 */
class LongLivedConnectionsDrainTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void webSocketClientIsToldToReconnectAndTheDrainEndsWellBeforeItsTimeout(ServerKind server, WebStack stack)
			throws Exception {
		// an idle grace far longer than the bound below: the close frame comes at the
		// start of DRAINING, not when the grace ends
		try (TestApp app = start(server, stack, "keepalive.shutdown.idle-grace=15s");
				RawWebSocket webSocket = RawWebSocket.connect(app.port(), "/ws/echo")) {
			webSocket.sendText("hello");
			assertThat(webSocket.readFrame().text()).isEqualTo("hello");
			await().atMost(Duration.ofSeconds(5)).until(() -> app.counts().upgraded() == 1);
			ServerDrain drain = app.drain();
			long start = System.nanoTime();
			CompletableFuture<Void> closed = app.closeInBackground();
			Frame frame = webSocket.readFrame();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(7));
			assertThat(frame.opcode()).isEqualTo(RawWebSocket.CLOSE);
			assertThat(frame.closeCode()).isEqualTo(1012);
			assertThat(frame.closeReason()).isEqualTo("Server is draining, reconnect");
			webSocket.sendClose(1000);
			assertThat(webSocket.awaitClosedByServer(Duration.ofSeconds(5))).isTrue();
			closed.get(30, TimeUnit.SECONDS);
			DrainReport report = drain.report();
			assertThat(report.total()).isLessThan(TIMEOUT.dividedBy(2));
			assertThat(report.closedUpgraded()).isEqualTo(1);
			assertThat(report.forced()).isZero();
			assertThat(app.closed(CloseReason.DRAIN_UPGRADED)).isEqualTo(1);
		}
	}

	@ParameterizedTest
	@EnumSource(names = { "TOMCAT", "JETTY" })
	void stompClientIsToldToReconnect(ServerKind server) throws Exception {
		try (TestApp app = start(server); RawWebSocket webSocket = RawWebSocket.connect(app.port(), "/stomp")) {
			webSocket.sendText("CONNECT\naccept-version:1.2\nhost:localhost\n\n\0");
			assertThat(webSocket.readFrame().text()).startsWith("CONNECTED");
			CompletableFuture<Void> closed = app.closeInBackground();
			Frame frame = webSocket.readFrame();
			assertThat(frame.opcode()).isEqualTo(RawWebSocket.CLOSE);
			assertThat(frame.closeCode()).isEqualTo(1012);
			webSocket.sendClose(1000);
			closed.get(30, TimeUnit.SECONDS);
			assertThat(app.drain().report().forced()).isZero();
		}
	}

	@ParameterizedTest
	@EnumSource(names = { "TOMCAT", "JETTY" })
	void sockJsClientIsToldToReconnect(ServerKind server) throws Exception {
		try (TestApp app = start(server);
				RawWebSocket webSocket = RawWebSocket.connect(app.port(), "/sockjs/000/drain-test/websocket")) {
			// SockJS's open frame, then an echo in its array framing
			assertThat(webSocket.readFrame().text()).isEqualTo("o");
			webSocket.sendText("[\"hello\"]");
			assertThat(webSocket.readFrame().text()).isEqualTo("a[\"hello\"]");
			// the echo can arrive before the server's thread has left the frame: the
			// drain
			// counts a connection as upgraded only once it is back to waiting
			await().atMost(Duration.ofSeconds(5)).until(() -> app.counts().upgraded() == 1);
			CompletableFuture<Void> closed = app.closeInBackground();
			// SockJS's own close frame, then the WebSocket's
			assertThat(webSocket.readFrame().text()).isEqualTo("c[1012,\"Server is draining, reconnect\"]");
			Frame frame = webSocket.readFrame();
			assertThat(frame.opcode()).isEqualTo(RawWebSocket.CLOSE);
			assertThat(frame.closeCode()).isEqualTo(1012);
			webSocket.sendClose(1000);
			assertThat(webSocket.awaitClosedByServer(Duration.ofSeconds(5))).isTrue();
			closed.get(30, TimeUnit.SECONDS);
			assertThat(app.drain().report().closedUpgraded()).isEqualTo(1);
			assertThat(app.drain().report().forced()).isZero();
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void webSocketClientThatIgnoresTheCloseFrameIsClosedWithinTheGraceAndCounted(ServerKind server, WebStack stack)
			throws Exception {
		try (TestApp app = start(server, stack);
				RawWebSocket webSocket = RawWebSocket.connect(app.port(), "/ws/echo")) {
			await().atMost(Duration.ofSeconds(5)).until(() -> app.counts().upgraded() == 1);
			ServerDrain drain = app.drain();
			CompletableFuture<Void> closed = app.closeInBackground();
			assertThat(webSocket.readFrame().closeCode()).isEqualTo(1012);
			long toldAt = System.nanoTime();
			// no answer: the server must not wait for one beyond the grace (1s)
			assertThat(webSocket.awaitClosedByServer(Duration.ofSeconds(10))).isTrue();
			Duration closedAfter = Duration.ofNanos(System.nanoTime() - toldAt);
			closed.get(30, TimeUnit.SECONDS);
			DrainReport report = drain.report();
			assertThat(report.total()).isLessThan(TIMEOUT.dividedBy(2));
			if (server == ServerKind.TOMCAT) {
				// Tomcat waits for the client's close frame: the drain closes it after
				// the grace
				assertThat(closedAfter).isBetween(Duration.ofMillis(800), Duration.ofSeconds(8));
				assertThat(report.forced()).isEqualTo(1);
				assertThat(report.closedUpgraded()).isZero();
				assertThat(app.closed(CloseReason.FORCED)).isEqualTo(1);
			}
			else {
				// Jetty does not wait for an answer to a close code other than 1000: the
				// server closed it, not the drain's force-close after the grace
				assertThat(report.forced()).isZero();
				assertThat(report.closedUpgraded()).isEqualTo(1);
			}
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void webSocketSessionOpenedAfterTheDrainStoppedAcceptingIsToldToReconnectAtOnce(ServerKind server, WebStack stack)
			throws Exception {
		try (TestApp app = start(server, stack)) {
			// the application holds the handshake until DRAINING has been announced
			CompletableFuture<RawWebSocket> connecting = Background.run(() -> connect(app, "/ws/late"));
			// WebFlux on a servlet container serves it asynchronously
			await().atMost(Duration.ofSeconds(5)).until(() -> app.counts().active() + app.counts().async() == 1);
			CompletableFuture<Void> closed = app.closeInBackground();
			try (RawWebSocket webSocket = connecting.get(30, TimeUnit.SECONDS)) {
				Frame frame = webSocket.readFrame();
				assertThat(frame.closeCode()).isEqualTo(1012);
				assertThat(frame.closeReason()).isEqualTo("Server is draining, reconnect");
				webSocket.sendClose(1000);
				assertThat(webSocket.awaitClosedByServer(Duration.ofSeconds(5))).isTrue();
			}
			closed.get(30, TimeUnit.SECONDS);
			assertThat(app.drain().report().forced()).isZero();
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void afterAStopAndStartNewWebSocketSessionsAreServedNotToldToReconnect(ServerKind server, WebStack stack)
			throws Exception {
		try (TestApp app = start(server, stack)) {
			app.context().stop();
			app.context().start();
			try (RawWebSocket webSocket = RawWebSocket.connect(app.port(), "/ws/echo")) {
				webSocket.sendText("hello");
				Frame frame = webSocket.readFrame();
				assertThat(frame.opcode()).isEqualTo(RawWebSocket.TEXT);
				assertThat(frame.text()).isEqualTo("hello");
			}
		}
	}

	private static RawWebSocket connect(TestApp app, String path) {
		try {
			return RawWebSocket.connect(app.port(), path);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Test
	void tomcatGivesAWebSocketClientTheConfiguredCloseGrace() throws Exception {
		try (TestApp app = start(ServerKind.TOMCAT, "keepalive.shutdown.websocket-close-grace=3s");
				RawWebSocket webSocket = RawWebSocket.connect(app.port(), "/ws/echo")) {
			await().atMost(Duration.ofSeconds(5)).until(() -> app.counts().upgraded() == 1);
			CompletableFuture<Void> closed = app.closeInBackground();
			assertThat(webSocket.readFrame().closeCode()).isEqualTo(1012);
			long toldAt = System.nanoTime();
			assertThat(webSocket.awaitClosedByServer(Duration.ofSeconds(15))).isTrue();
			assertThat(Duration.ofNanos(System.nanoTime() - toldAt)).isBetween(Duration.ofMillis(2800),
					Duration.ofSeconds(10));
			closed.get(30, TimeUnit.SECONDS);
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void sseStreamMadeWithTheHelperEndsCleanlyAtDraining(ServerKind server, WebStack stack) throws Exception {
		try (TestApp app = start(server, stack); RawHttpConnection sse = app.connect()) {
			sse.get("/ticks");
			await().atMost(Duration.ofSeconds(5)).until(() -> openStreams(app, stack) == 1);
			ServerDrain drain = app.drain();
			CompletableFuture<Void> closed = app.closeInBackground();
			// the whole chunked body, terminating chunk included
			RawHttpResponse response = sse.readResponse();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.header("Transfer-Encoding")).isEqualTo("chunked");
			assertThat(response.bodyText()).isEqualTo("data:tick 0\n\n");
			assertThat(sse.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			closed.get(30, TimeUnit.SECONDS);
			assertThat(drain.report().forced()).isZero();
			assertThat(drain.report().total()).isLessThan(TIMEOUT.dividedBy(2));
		}
	}

	/**
	 * The streams still open that were made with the stack's helper.
	 */
	private static int openStreams(TestApp app, WebStack stack) {
		return (stack == WebStack.SERVLET) ? app.context().getBean(DrainAwareEmitters.class).size()
				: app.context().getBean(DrainAwareFluxes.class).size();
	}

	private static TestApp start(ServerKind server, String... properties) {
		return start(server, WebStack.SERVLET, properties);
	}

	private static TestApp start(ServerKind server, WebStack stack, String... properties) {
		String[] all = new String[properties.length + 3];
		all[0] = "keepalive.shutdown.drain-delay=0s";
		all[1] = "keepalive.shutdown.timeout=" + TIMEOUT.toSeconds() + "s";
		all[2] = "logging.level.dev.keepalive.websocket=DEBUG";
		System.arraycopy(properties, 0, all, 3, properties.length);
		Class<?> config = (stack == WebStack.SERVLET) ? LongLivedConnectionsConfig.class
				: ReactiveLongLivedConnectionsConfig.class;
		return TestApp.start(server, stack, new Class<?>[] { config }, all);
	}

}
