package dev.keepalive.drain;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Connections that the kernel has established but the server has not accepted yet are
 * served when the drain stops accepting, not reset with the listening socket.
 */
class AcceptQueueDrainTests {

	private static final int QUEUED = 5;

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void connectionsWaitingInTheAcceptQueueWhenTheServerStopsAcceptingAreAllServed(ServerKind server) throws Exception {
		// Tomcat's connection limit holds its acceptor back (Jetty's would close what is
		// accepted beyond it), so that connections queue up
		try (TestApp app = TestApp.start(server, "server.tomcat.max-connections=2", "keepalive.shutdown.drain-delay=0s",
				"keepalive.shutdown.timeout=20s")) {
			int port = app.port();
			List<RawHttpConnection> open = new ArrayList<>();
			for (int i = 0; i < 2; i++) {
				RawHttpConnection connection = app.connect();
				assertThat(connection.get("/hello").readResponse().status()).isEqualTo(200);
				open.add(connection);
			}
			if (server == ServerKind.JETTY) {
				holdJettyAcceptor(app);
			}
			await().atMost(Duration.ofSeconds(5)).until(() -> app.counts().idle() == 2);
			List<RawHttpConnection> queued = new ArrayList<>();
			for (int i = 0; i < QUEUED; i++) {
				queued.add(app.connect().get("/hello"));
			}
			// the kernel took them, the server did not
			assertThat(app.counts().open()).isEqualTo(2);

			CompletableFuture<Void> closed = app.closeInBackground();
			for (RawHttpConnection connection : queued) {
				RawHttpResponse response = connection.readResponse();
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.bodyText()).isEqualTo("hello");
				assertThat(response.connectionClose()).isTrue();
				assertThat(connection.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			}
			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> RawHttpConnection.open(port));
			for (RawHttpConnection connection : open) {
				assertThat(connection.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			}
			closed.get(30, TimeUnit.SECONDS);
			DrainReport report = app.drain().report();
			assertThat(report.takenFromAcceptQueue()).isEqualTo(QUEUED);
			assertThat(report.requestsServed()).isEqualTo(QUEUED);
			assertThat(report.closedAfterResponse()).isEqualTo(QUEUED);
			assertThat(report.closedIdle()).isEqualTo(2);
			assertThat(report.forced()).isZero();
		}
	}

	private static void holdJettyAcceptor(TestApp app) throws Exception {
		Server jetty = ((JettyWebServer) ((WebServerApplicationContext) app.context()).getWebServer()).getServer();
		for (Connector connector : jetty.getConnectors()) {
			((AbstractConnector) connector).setAccepting(false);
		}
		// the acceptor may be in accept(): one more connection brings it out to wait
		try (RawHttpConnection last = app.connect()) {
			assertThat(last.get("/hello", "Connection: close").readResponse().status()).isEqualTo(200);
		}
	}

}
