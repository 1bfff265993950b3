package dev.keepalive.server;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The registry knows every open connection and its state, exactly, and forgets each one
 * when it closes.
 */
class ConnectionTrackingTests {

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void countsEveryOpenConnectionByStateAndReturnsToZeroWhenTheyClose(ServerKind server) throws Exception {
		// a Reactor Netty exchange holds no thread and never leaves one: it is active
		// throughout, never async
		int async = (server != ServerKind.NETTY) ? 1 : 0;
		try (TestApp app = TestApp.start(server)) {
			List<RawHttpConnection> connections = new ArrayList<>();
			try {
				for (int i = 0; i < 2; i++) {
					RawHttpConnection kept = open(app, connections);
					assertThat(kept.get("/hello").readResponse().status()).isEqualTo(200);
				}
				open(app, connections);
				for (int i = 0; i < 2; i++) {
					open(app, connections).get("/hang");
				}
				if (async > 0) {
					open(app, connections).get("/async");
				}
				open(app, connections).send("GET /hello HTTP/1.1\r\nHo");
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(app.counts())
						.isEqualTo(new ConnectionCounts(6 + async, 3, 1, 2, async, 0, 0, 0)));
				app.endpoints().releaseHangingRequests();
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(app.counts())
						.isEqualTo(new ConnectionCounts(6 + async, 5 + async, 1, 0, 0, 0, 0, 0)));
			}
			finally {
				for (RawHttpConnection connection : connections) {
					connection.close();
				}
			}
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(app.counts()).isEqualTo(ConnectionCounts.NONE));
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void forgetsEveryConnectionAfterTenThousandOpenCloseCycles(ServerKind server) throws Exception {
		int cycles = 10_000;
		try (TestApp app = TestApp.start(server)) {
			long closedBefore = totalClosed(app);
			ExecutorService executor = Executors.newFixedThreadPool(4);
			try {
				List<Future<?>> results = new ArrayList<>();
				for (int lane = 0; lane < 4; lane++) {
					int first = lane;
					results.add(executor.submit(() -> {
						for (int i = first; i < cycles; i += 4) {
							cycle(app, i);
						}
						return null;
					}));
				}
				for (Future<?> result : results) {
					result.get();
				}
			}
			finally {
				executor.shutdownNow();
			}
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				assertThat(app.counts().open()).isZero();
				assertThat(totalClosed(app) - closedBefore).isEqualTo(cycles);
			});
		}
	}

	/**
	 * Alternate between the server closing first (the request says close) and the client
	 * resetting, so that no TIME_WAIT is left on the client's ports.
	 */
	private static void cycle(TestApp app, int i) throws IOException {
		try (RawHttpConnection connection = app.connect()) {
			if (i % 2 == 0) {
				assertThat(connection.get("/hello", "Connection: close").readResponse().status()).isEqualTo(200);
				assertThat(connection.awaitClose(Duration.ofSeconds(10))).isEqualTo(Closure.EOF);
			}
			else {
				assertThat(connection.get("/hello").readResponse().status()).isEqualTo(200);
				connection.socket().setSoLinger(true, 0);
			}
		}
	}

	private static long totalClosed(TestApp app) {
		long total = 0;
		for (CloseReason reason : CloseReason.values()) {
			total += app.closed(reason);
		}
		return total;
	}

	private static RawHttpConnection open(TestApp app, List<RawHttpConnection> connections) throws IOException {
		RawHttpConnection connection = app.connect();
		connections.add(connection);
		return connection;
	}

}
