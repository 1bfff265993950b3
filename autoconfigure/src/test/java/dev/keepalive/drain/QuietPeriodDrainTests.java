package dev.keepalive.drain;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.keepalive.testsupport.Background;
import dev.keepalive.testsupport.Http2Transport;
import dev.keepalive.testsupport.RawHttp2Connection;
import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code keepalive.shutdown.quiet-period}: the drain delay ends once no new work has come
 * for the quiet period (and the minimum has passed), and runs to its maximum while work
 * keeps coming; probes are not work. The report says why it ended and when the last new
 * work came. The sleeps are the pace of the traffic, as a load balancer sends it. On
 * Reactor Netty only the cases that need the server to record new work run: the rest is
 * the drain's own timing, the same on every server.
 */
class QuietPeriodDrainTests {

	private static final Duration NEW_WORK_EVERY = Duration.ofMillis(150);

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void noTrafficEndsTheDrainDelayAtTheMinimum(ServerKind server) throws Exception {
		try (TestApp app = start(server, "keepalive.shutdown.drain-delay=30s", "keepalive.shutdown.quiet-period=1s",
				"keepalive.shutdown.min-drain-delay=2s")) {
			DrainReport report = closeAndReport(app);
			assertThat(report.drainDelayEnd()).isEqualTo(DrainDelayEnd.QUIET);
			assertThat(report.drainDelay()).isBetween(Duration.ofMillis(1950), Duration.ofSeconds(10));
			assertThat(report.lastNewConnection()).isNull();
			assertThat(report.lastRequest()).isNull();
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void steadyNewConnectionsHoldTheDrainDelayUntilItsMaximum(ServerKind server) throws Exception {
		// a quiet period well above the gaps of the traffic, even on a loaded machine
		try (TestApp app = start(server, "keepalive.shutdown.drain-delay=4s", "keepalive.shutdown.quiet-period=2s")) {
			Traffic traffic = Traffic.newConnections(app, "/hello");
			DrainReport report = closeAndReport(app);
			traffic.stop();
			assertThat(traffic.served()).isGreaterThan(5);
			assertThat(report.drainDelayEnd()).isEqualTo(DrainDelayEnd.MAXIMUM);
			assertThat(report.drainDelay()).isGreaterThanOrEqualTo(Duration.ofMillis(3950));
			// new work up to the end: within a quiet period of it
			assertThat(report.lastNewConnection()).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
			assertThat(report.lastRequest()).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void drainDelayEndsAQuietPeriodAfterTheLastNewWorkAndTheReportSaysWhen(ServerKind server) throws Exception {
		try (TestApp app = start(server, "keepalive.shutdown.drain-delay=30s", "keepalive.shutdown.quiet-period=3s",
				"management.server.port=0", "management.endpoint.keepalive.access=read-only")) {
			int managementPort = app.context().getEnvironment().getProperty("local.management.port", Integer.class);
			Traffic traffic = Traffic.newConnections(app, "/hello");
			// at runtime, so that the management server is still there to ask afterwards
			CompletableFuture<DrainReport> drained = Background
				.run(() -> app.drain().drain(Duration.ofSeconds(30), Duration.ofSeconds(5)));
			app.awaitPhase(DrainPhase.DRAIN_DELAY);
			// the load balancer lets go after about 2 s
			long start = System.nanoTime();
			Thread.sleep(2000);
			traffic.stop();
			Duration stoppedAfter = Duration.ofNanos(System.nanoTime() - start);
			DrainReport report = drained.get(60, TimeUnit.SECONDS);
			assertThat(report.drainDelayEnd()).isEqualTo(DrainDelayEnd.QUIET);
			assertThat(report.lastRequest()).isNotNull().isLessThanOrEqualTo(stoppedAfter.plusMillis(200));
			assertThat(report.lastRequest()).isGreaterThan(Duration.ofMillis(1500));
			assertThat(report.lastNewConnection()).isNotNull().isLessThanOrEqualTo(report.lastRequest());
			assertThat(report.drainDelay()).isBetween(report.lastRequest().plusMillis(2950),
					report.lastRequest().plusSeconds(10));
			JsonNode lastDrain = JsonMapper.builder()
				.build()
				.readTree(RawHttpConnection.open(managementPort).get("/actuator/keepalive").readResponse().bodyText())
				.get("lastDrain");
			assertThat(lastDrain.get("drainDelayEnd").asString()).isEqualTo("quiet");
			assertThat(lastDrain.get("lastRequestMillis").asLong()).isEqualTo(report.lastRequest().toMillis());
			assertThat(lastDrain.get("lastNewConnectionMillis").asLong())
				.isEqualTo(report.lastNewConnection().toMillis());
			MeterRegistry meters = app.context().getBean(MeterRegistry.class);
			for (String kind : new String[] { "connection", "request" }) {
				assertThat(meters.get("keepalive.drain.last-new-work").tag("kind", kind).timer().count()).isEqualTo(1);
			}
			assertThat(meters.get("keepalive.drain.last-new-work")
				.tag("kind", "request")
				.timer()
				.totalTime(TimeUnit.MILLISECONDS))
				.isEqualTo(report.lastRequest().toMillis(), org.assertj.core.api.Assertions.within(1.0));
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void probeRequestsOnNewConnectionsDoNotHoldTheDrainDelay(ServerKind server) throws Exception {
		try (TestApp app = start(server, "keepalive.shutdown.drain-delay=30s", "keepalive.shutdown.quiet-period=1s")) {
			Traffic probes = Traffic.newConnections(app, "/actuator/health/readiness");
			DrainReport report = closeAndReport(app);
			probes.stop();
			assertThat(probes.served()).isGreaterThan(3);
			assertThat(report.drainDelayEnd()).isEqualTo(DrainDelayEnd.QUIET);
			assertThat(report.drainDelay()).isLessThan(Duration.ofSeconds(10));
			assertThat(report.lastNewConnection()).isNull();
			assertThat(report.lastRequest()).isNull();
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void configuredProbePathsReplaceTheHealthEndpoint(ServerKind server) throws Exception {
		try (TestApp app = start(server, "keepalive.shutdown.drain-delay=30s", "keepalive.shutdown.quiet-period=1s",
				"keepalive.shutdown.probe-paths=/hello")) {
			// a health request is work now, and /hello a probe
			Traffic probes = Traffic.newConnections(app, "/hello");
			try (RawHttpConnection health = app.connect()) {
				CompletableFuture<Void> closed = app.closeInBackground(DrainPhase.DRAIN_DELAY);
				Thread.sleep(500);
				health.get("/actuator/health").readResponse();
				closed.get(60, TimeUnit.SECONDS);
			}
			probes.stop();
			DrainReport report = app.drain().report();
			assertThat(report.drainDelayEnd()).isEqualTo(DrainDelayEnd.QUIET);
			assertThat(report.lastRequest()).isNotNull().isGreaterThanOrEqualTo(Duration.ofMillis(500));
			assertThat(report.drainDelay()).isLessThan(Duration.ofSeconds(10));
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void http2StreamsOnAnOpenConnectionAreNewWork(ServerKind server) throws Exception {
		try (TestApp app = Http2Transport.H2C.start(server, "keepalive.shutdown.drain-delay=3s",
				"keepalive.shutdown.quiet-period=2s", "keepalive.shutdown.timeout=10s");
				RawHttp2Connection connection = RawHttp2Connection.open(app.port())) {
			connection.get(1, "/hello");
			await().atMost(Duration.ofSeconds(10)).until(() -> connection.isComplete(1));
			CompletableFuture<Void> closed = app.closeInBackground(DrainPhase.DRAIN_DELAY);
			// a stream every 150 ms on the connection opened before the drain: after the
			// graceful GOAWAY a client may still open streams, and they are served
			int streamId = 3;
			while (app.drain().phase() == DrainPhase.DRAIN_DELAY) {
				connection.get(streamId, "/hello");
				int id = streamId;
				await().atMost(Duration.ofSeconds(10)).until(() -> connection.isComplete(id));
				streamId += 2;
				Thread.sleep(NEW_WORK_EVERY.toMillis());
			}
			closed.get(60, TimeUnit.SECONDS);
			DrainReport report = app.drain().report();
			assertThat(streamId).isGreaterThan(9);
			assertThat(report.drainDelayEnd()).isEqualTo(DrainDelayEnd.MAXIMUM);
			assertThat(report.lastRequest()).isNotNull().isGreaterThan(Duration.ofSeconds(1));
			// the connection is older than the drain
			assertThat(report.lastNewConnection()).isNull();
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void runtimeDrainEndsWhenQuietToo(ServerKind server) {
		try (TestApp app = start(server, "keepalive.shutdown.quiet-period=1s")) {
			DrainReport report = app.drain().drain(Duration.ofSeconds(30), Duration.ofSeconds(5));
			assertThat(report.trigger()).isEqualTo("runtime");
			assertThat(report.drainDelayEnd()).isEqualTo(DrainDelayEnd.QUIET);
			assertThat(report.drainDelay()).isLessThan(Duration.ofSeconds(10));
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void withoutAQuietPeriodTheDrainDelayRunsItsFullLengthAndStillReportsTheLastNewWork(ServerKind server)
			throws Exception {
		try (TestApp app = start(server, "keepalive.shutdown.drain-delay=2s")) {
			try (RawHttpConnection connection = app.connect()) {
				await().atMost(Duration.ofSeconds(10)).until(() -> app.counts().open() == 1);
				CompletableFuture<Void> closed = app.closeInBackground(DrainPhase.DRAIN_DELAY);
				connection.get("/hello").readResponse();
				closed.get(60, TimeUnit.SECONDS);
			}
			DrainReport report = app.drain().report();
			assertThat(report.drainDelayEnd()).isEqualTo(DrainDelayEnd.MAXIMUM);
			assertThat(report.drainDelay()).isGreaterThanOrEqualTo(Duration.ofMillis(1950));
			assertThat(report.lastNewConnection()).as("opened before the drain").isNull();
			assertThat(report.lastRequest()).isNotNull().isLessThan(Duration.ofSeconds(2));
		}
	}

	private static TestApp start(ServerKind server, String... properties) {
		String[] all = new String[properties.length + 1];
		all[0] = "keepalive.shutdown.timeout=5s";
		System.arraycopy(properties, 0, all, 1, properties.length);
		return TestApp.start(server, all);
	}

	private static DrainReport closeAndReport(TestApp app) throws Exception {
		app.closeInBackground().get(60, TimeUnit.SECONDS);
		return app.drain().report();
	}

	/**
	 * A load balancer that still routes here: a new connection with one request every 150
	 * ms, until stopped or refused.
	 */
	private static final class Traffic {

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final AtomicInteger served = new AtomicInteger();

		private final CompletableFuture<Void> done = new CompletableFuture<>();

		private Traffic(TestApp app, String path) {
			// a thread of its own: on a 2-core machine the common pool may have a single
			// thread, which the close of the application context needs
			Thread thread = new Thread(() -> {
				try {
					send(app.port(), path);
					this.done.complete(null);
				}
				catch (RuntimeException ex) {
					this.done.completeExceptionally(ex);
				}
			}, "traffic");
			thread.setDaemon(true);
			thread.start();
		}

		static Traffic newConnections(TestApp app, String path) {
			return new Traffic(app, path);
		}

		private void send(int port, String path) {
			while (this.running.get()) {
				try (RawHttpConnection connection = RawHttpConnection.open(port)) {
					connection.get(path).readResponse();
					this.served.incrementAndGet();
				}
				catch (IOException ex) {
					// refused: the server has stopped accepting
					return;
				}
				pause();
			}
		}

		private static void pause() {
			try {
				Thread.sleep(NEW_WORK_EVERY.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		void stop() throws Exception {
			this.running.set(false);
			this.done.get(30, TimeUnit.SECONDS);
		}

		int served() {
			return this.served.get();
		}

	}

}
