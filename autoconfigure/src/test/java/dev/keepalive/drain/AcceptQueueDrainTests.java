package dev.keepalive.drain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.netty.http.HttpResources;

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

	private static final int LISTEN = 0x0A;

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void connectionsWaitingInTheAcceptQueueWhenTheServerStopsAcceptingAreAllServed(ServerKind server) throws Exception {
		// Tomcat's connection limit holds its acceptor back (Jetty's would close what is
		// accepted beyond it), so that connections queue up; connection pressure would
		// close the idle connections that hold it at its limit
		// a short idle grace: it counts from when the queue has been taken, however long
		// that took (Jetty's held acceptor is waited for, then taken over)
		try (TestApp app = TestApp.start(server, "server.tomcat.max-connections=2",
				"keepalive.server.pressure.enabled=false", "keepalive.shutdown.drain-delay=0s",
				"keepalive.shutdown.idle-grace=300ms", "keepalive.shutdown.timeout=20s")) {
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
			CountDownLatch eventLoopsHeld = (server == ServerKind.NETTY) ? holdNettyEventLoops() : null;
			await().atMost(Duration.ofSeconds(5)).until(() -> app.counts().idle() == 2);
			List<RawHttpConnection> queued = new ArrayList<>();
			for (int i = 0; i < QUEUED; i++) {
				queued.add(app.connect().get("/hello"));
			}
			List<RawHttpConnection> late = List.of(app.connect(), app.connect());
			// the kernel took them, the server did not
			assertThat(app.counts().open()).isEqualTo(2);

			CompletableFuture<Void> closed;
			if (eventLoopsHeld != null) {
				// Netty's acceptor takes the queue as soon as its event loop runs: let it
				// run once the drain's marker has queued up behind the clients
				closed = app.closeInBackground();
				await().atMost(Duration.ofSeconds(10)).until(() -> acceptQueueLength(port) == QUEUED + late.size() + 1);
				eventLoopsHeld.countDown();
				app.awaitPhase(DrainPhase.DRAINING);
			}
			else {
				closed = app.closeInBackground(DrainPhase.DRAINING);
			}
			// clients that connected a moment ago send their requests now, well within
			// the grace counted from when the queue was taken
			Thread.sleep(100);
			late.forEach((connection) -> send(connection, "/hello"));
			queued.addAll(late);
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
			assertThat(report.takenFromAcceptQueue()).isEqualTo(QUEUED + late.size());
			assertThat(report.requestsServed()).isEqualTo(QUEUED + late.size());
			assertThat(report.closedAfterResponse()).isEqualTo(QUEUED + late.size());
			assertThat(report.closedIdle()).isEqualTo(2);
			assertThat(report.forced()).isZero();
		}
	}

	@Test
	void connectionsThatQueueBehindNettysMarkerAreServedToo() throws Exception {
		// Netty's acceptor takes one connection per event loop turn: a busy one reaches
		// the drain's marker late, and clients queue behind it meanwhile
		try (TestApp app = TestApp.start(ServerKind.NETTY, "keepalive.shutdown.drain-delay=0s",
				"keepalive.shutdown.timeout=20s")) {
			int port = app.port();
			// the acceptor has been at work before the drain: it reads on as it was set
			// up
			try (RawHttpConnection first = app.connect()) {
				assertThat(first.get("/hello", "Connection: close").readResponse().status()).isEqualTo(200);
			}
			CountDownLatch eventLoopsHeld = holdNettyEventLoops();
			List<RawHttpConnection> queued = new ArrayList<>();
			for (int i = 0; i < QUEUED; i++) {
				queued.add(app.connect().get("/hello"));
			}
			CompletableFuture<Void> closed = app.closeInBackground();
			await().atMost(Duration.ofSeconds(10)).until(() -> acceptQueueLength(port) == QUEUED + 1);
			for (int i = 0; i < QUEUED; i++) {
				queued.add(app.connect().get("/hello"));
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> acceptQueueLength(port) == 2 * QUEUED + 1);
			eventLoopsHeld.countDown();
			for (RawHttpConnection connection : queued) {
				RawHttpResponse response = connection.readResponse();
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.connectionClose()).isTrue();
				assertThat(connection.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			}
			closed.get(30, TimeUnit.SECONDS);
			DrainReport report = app.drain().report();
			assertThat(report.takenFromAcceptQueue()).isEqualTo(2 * QUEUED);
			assertThat(report.requestsServed()).isEqualTo(2 * QUEUED);
			assertThat(report.forced()).isZero();
		}
	}

	private static void send(RawHttpConnection connection, String path) {
		try {
			connection.get(path);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void holdJettyAcceptor(TestApp app) throws Exception {
		Server jetty = ((JettyWebServer) ((WebServerApplicationContext) app.context()).getWebServer()).getServer();
		for (Connector connector : jetty.getConnectors()) {
			((AbstractConnector) connector).setAccepting(false);
			Thread acceptor = acceptorThread(connector);
			// the acceptor now waits, is in accept(), or is on its way to wait; only in
			// accept() does it take one more connection, so one is sent only then (sent
			// otherwise, it would stay queued and be counted)
			await().atMost(Duration.ofSeconds(5))
				.until(() -> acceptor.getState() == Thread.State.WAITING || inAccept(acceptor));
			if (acceptor.getState() != Thread.State.WAITING) {
				try (RawHttpConnection last = app.connect()) {
					assertThat(last.get("/hello", "Connection: close").readResponse().status()).isEqualTo(200);
				}
			}
			await().atMost(Duration.ofSeconds(5)).until(() -> acceptor.getState() == Thread.State.WAITING);
		}
	}

	/**
	 * Block every event loop of Reactor Netty's server resources, the listening channel's
	 * among them, until the latch is counted down.
	 */
	private static CountDownLatch holdNettyEventLoops() {
		CountDownLatch release = new CountDownLatch(1);
		EventLoopGroup loops = HttpResources.get().onServer(true);
		List<EventExecutor> executors = new ArrayList<>();
		loops.forEach(executors::add);
		CountDownLatch running = new CountDownLatch(executors.size());
		for (EventExecutor executor : executors) {
			executor.execute(() -> {
				running.countDown();
				try {
					release.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> running.getCount() == 0);
		return release;
	}

	/**
	 * The connections waiting in the accept queue of the socket listening on
	 * {@code port}: the receive queue the kernel lists for a listening socket. Linux
	 * only.
	 */
	private static int acceptQueueLength(int port) throws IOException {
		String local = String.format(":%04X", port);
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			for (String line : Files.readAllLines(Path.of(table))) {
				String[] fields = line.trim().split("\\s+");
				if (fields.length > 4 && fields[1].endsWith(local) && Integer.parseInt(fields[3], 16) == LISTEN) {
					return Integer.parseInt(fields[4].substring(fields[4].indexOf(':') + 1), 16);
				}
			}
		}
		return -1;
	}

	private static Thread acceptorThread(Connector connector) {
		// Jetty names an acceptor "<pool thread>-acceptor-<id>@<hash>-<connector>"
		String connectorName = connector.getClass().getSimpleName() + "@" + Integer.toHexString(connector.hashCode());
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().contains("-acceptor-") && thread.getName().contains(connectorName))
			.findFirst()
			.orElseThrow();
	}

	private static boolean inAccept(Thread thread) {
		return Arrays.stream(thread.getStackTrace())
			.anyMatch((frame) -> frame.getClassName().equals("sun.nio.ch.ServerSocketChannelImpl"));
	}

}
