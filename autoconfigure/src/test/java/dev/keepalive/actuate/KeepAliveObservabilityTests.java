package dev.keepalive.actuate;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.keepalive.drain.DrainPhase;
import dev.keepalive.drain.DrainReport;
import dev.keepalive.server.CloseReason;
import dev.keepalive.testsupport.Background;
import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The actuator endpoint, health contributor, meters and log report the connections and
 * the drain exactly, and agree with each other; the drain operation is off until access
 * is granted.
 */
@ExtendWith(OutputCaptureExtension.class)
class KeepAliveObservabilityTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void endpointAndGaugesReportEveryConnectionByStateWithoutClientAddresses(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server)) {
			MeterRegistry meters = app.context().getBean(MeterRegistry.class);
			List<RawHttpConnection> connections = new ArrayList<>();
			try {
				RawHttpConnection idle = app.connect();
				connections.add(idle);
				idle.get("/hello").readResponse();
				RawHttpConnection active = app.connect();
				connections.add(active);
				active.get("/hang");
				RawHttpConnection headers = app.connect();
				connections.add(headers);
				headers.send("GET /hel");
				await().atMost(Duration.ofSeconds(10)).until(() -> app.endpoints().inFlight() == 1);
				try (RawHttpConnection observer = app.connect()) {
					// the observer's own connection is active while it asks
					await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
						RawHttpResponse response = observer.get("/actuator/keepalive").readResponse();
						assertThat(response.status()).isEqualTo(200);
						JsonNode connector = json.readTree(response.bodyText()).get("connectors").get(0);
						assertThat(connector.propertyNames()).containsExactly("port", "scheme", "connections", "limits",
								"pressure");
						assertThat(connector.get("port").asInt()).isEqualTo(app.port());
						assertThat(connector.get("scheme").asString()).isEqualTo("http");
						JsonNode counts = connector.get("connections");
						assertThat(counts.propertyNames()).containsExactly("open", "idle", "readingHeaders", "active",
								"async", "upgraded", "http2", "streams");
						assertThat(counts.get("open").asInt()).isEqualTo(4);
						assertThat(counts.get("idle").asInt()).isEqualTo(1);
						assertThat(counts.get("readingHeaders").asInt()).isEqualTo(1);
						assertThat(counts.get("active").asInt()).isEqualTo(2);
						assertThat(connector.get("limits").propertyNames()).containsExactly("idleTimeout",
								"headersTimeout", "maxRequestsPerConnection", "maxConnectionAge", "minRequestBodyRate",
								"minResponseRate", "minDataRateGrace", "maxConnections");
						assertThat(connector.get("pressure").propertyNames()).containsExactly("underPressure",
								"idleTimeout", "maxConnections", "highWaterMark");
					});
					// once its response completes, the observer's connection is idle too
					await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
						assertThat(gauge(meters, "idle", app.port())).isEqualTo(2);
						assertThat(gauge(meters, "reading-headers", app.port())).isEqualTo(1);
						assertThat(gauge(meters, "active", app.port())).isEqualTo(1);
						assertThat(gauge(meters, "async", app.port())).isZero();
					});
					JsonNode body = json.readTree(observer.get("/actuator/keepalive").readResponse().bodyText());
					assertThat(body.propertyNames()).containsExactly("phase", "connectors", "closed", "lastDrain");
					assertThat(body.get("phase").asString()).isEqualTo("SERVING");
					assertThat(body.get("connectors").get(0).get("limits").get("idleTimeout").asString())
						.isEqualTo("65s");
					assertThat(body.get("connectors").get(0).get("limits").get("minRequestBodyRate").asString())
						.isEqualTo("240B");
					assertThat(body.get("connectors").get(0).get("limits").get("minResponseRate").asString())
						.isEqualTo("240B");
					assertThat(body.get("connectors").get(0).get("limits").get("minDataRateGrace").asString())
						.isEqualTo("5s");
					JsonNode pressure = body.get("connectors").get(0).get("pressure");
					assertThat(pressure.get("underPressure").asBoolean()).isFalse();
					assertThat(pressure.get("idleTimeout").asString()).isEqualTo("65s");
					assertThat(meters.get("keepalive.idle-timeout")
						.tag("port", String.valueOf(app.port()))
						.timeGauge()
						.value(TimeUnit.SECONDS)).isEqualTo(65.0);
				}
			}
			finally {
				app.endpoints().releaseHangingRequests();
				for (RawHttpConnection connection : connections) {
					connection.close();
				}
			}
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				for (String state : List.of("idle", "reading-headers", "active", "async", "upgraded")) {
					assertThat(gauge(meters, state, app.port())).as(state).isZero();
				}
			});
			// the four clients closed their connections; nothing else closed any
			for (CloseReason reason : CloseReason.values()) {
				long expected = (reason == CloseReason.CLIENT) ? 4 : 0;
				assertThat(closedMeter(meters, reason)).as(reason.tag()).isEqualTo(expected);
			}
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void drainCountsAgreeAcrossLogReportEndpointAndMeters(ServerKind server, CapturedOutput output) throws Exception {
		try (TestApp app = TestApp.start(server, "management.server.port=0", "keepalive.shutdown.drain-delay=1s",
				"keepalive.shutdown.timeout=3s")) {
			int managementPort = app.context().getEnvironment().getProperty("local.management.port", Integer.class);
			MeterRegistry meters = app.context().getBean(MeterRegistry.class);
			RawHttpConnection idle = app.connect();
			RawHttpConnection reused = app.connect();
			for (RawHttpConnection connection : List.of(idle, reused)) {
				assertThat(connection.get("/hello").readResponse().status()).isEqualTo(200);
			}
			RawHttpConnection hanging = app.connect().get("/hang");
			await().atMost(Duration.ofSeconds(5)).until(() -> app.endpoints().inFlight() == 1);
			CompletableFuture<DrainReport> drained = Background.run(() -> app.drain().drain());
			app.awaitPhase(DrainPhase.DRAIN_DELAY);
			// served with Connection: close during the drain delay
			RawHttpResponse response = reused.get("/hello").readResponse();
			assertThat(response.connectionClose()).isTrue();
			assertThat(reused.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			DrainReport report = drained.get(30, TimeUnit.SECONDS);
			assertThat(idle.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			assertThat(hanging.awaitClose(Duration.ofSeconds(5))).isIn(Closure.EOF, Closure.RESET);
			app.endpoints().releaseHangingRequests();

			assertThat(report.closedIdle()).isEqualTo(1);
			assertThat(report.closedAfterResponse()).isEqualTo(1);
			assertThat(report.forced()).isEqualTo(1);
			assertThat(report.requestsServed()).isEqualTo(1);
			Map<String, Long> fromReport = new TreeMap<>(
					Map.of("drain-idle", report.closedIdle(), "drain-after-response", report.closedAfterResponse(),
							"drain-upgraded", report.closedUpgraded(), "forced", report.forced()));
			Map<String, Long> fromMeters = new TreeMap<>();
			Map<String, Long> fromEndpoint = new TreeMap<>();
			JsonNode endpoint = json
				.readTree(RawHttpConnection.open(managementPort).get("/actuator/keepalive").readResponse().bodyText());
			for (String reason : fromReport.keySet()) {
				CloseReason closeReason = CloseReason.valueOf(reason.toUpperCase().replace('-', '_'));
				fromMeters.put(reason, closedMeter(meters, closeReason));
				fromEndpoint.put(reason, endpoint.get("closed").get(reason).asLong());
			}
			assertThat(fromMeters).isEqualTo(fromReport);
			assertThat(fromEndpoint).isEqualTo(fromReport);
			JsonNode lastDrain = endpoint.get("lastDrain");
			assertThat(lastDrain.get("closedIdle").asLong()).isEqualTo(report.closedIdle());
			assertThat(lastDrain.get("closedAfterResponse").asLong()).isEqualTo(report.closedAfterResponse());
			assertThat(lastDrain.get("forced").asLong()).isEqualTo(report.forced());
			assertThat(lastDrain.get("requestsServed").asLong()).isEqualTo(report.requestsServed());
			assertThat(output)
				.contains("1 request served during the drain; connections closed idle 1, after response 1,"
						+ " upgraded 0, forced 1");
			Matcher forceClosing = Pattern.compile("FORCE_CLOSING: 3s passed, closing (\\d+) open").matcher(output);
			assertThat(forceClosing.find()).isTrue();
			assertThat(Long.parseLong(forceClosing.group(1))).isEqualTo(report.forced());
			for (String phase : List.of("drain-delay", "draining", "force-closing", "total")) {
				assertThat(meters.get("keepalive.drain").tag("phase", phase).timer().count()).as(phase).isEqualTo(1);
			}
			assertThat(meters.get("keepalive.drain").tag("phase", "total").timer().totalTime(TimeUnit.MILLISECONDS))
				.isEqualTo(report.total().toMillis(), org.assertj.core.api.Assertions.within(1.0));
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void healthContributorIsUpWithConnectionsAndPhase(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "management.endpoint.health.show-details=always");
				RawHttpConnection connection = app.connect()) {
			RawHttpResponse response = connection.get("/actuator/health/keepalive").readResponse();
			assertThat(response.status()).isEqualTo(200);
			JsonNode health = json.readTree(response.bodyText());
			assertThat(health.get("status").asString()).isEqualTo("UP");
			assertThat(health.get("details").get("drainPhase").asString()).isEqualTo("SERVING");
			assertThat(health.get("details").get("connectors").get(String.valueOf(app.port())).get("open").asInt())
				.isEqualTo(1);
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void drainOperationIsNotAvailableByDefault(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server); RawHttpConnection connection = app.connect()) {
			// the endpoint is there and reads are allowed: only the write is refused
			assertThat(connection.get("/actuator/keepalive").readResponse().status()).isEqualTo(200);
			RawHttpResponse response = connection.postJson("/actuator/keepalive", "{}").readResponse();
			assertThat(response.status()).isEqualTo(405);
			assertThat(app.drain().report()).isNull();
			try (RawHttpConnection another = app.connect()) {
				assertThat(another.get("/hello").readResponse().status()).isEqualTo(200);
			}
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void drainOperationDrainsTheServerAndReturnsTheReportWhenAccessIsGranted(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "management.endpoint.keepalive.access=unrestricted")) {
			int port = app.port();
			MeterRegistry meters = app.context().getBean(MeterRegistry.class);
			RawHttpConnection idle = app.connect();
			idle.get("/hello").readResponse();
			// the client has the response before the server has finished the exchange:
			// wait for it, or the drain sees an active connection, closed after response
			await().atMost(Duration.ofSeconds(10)).until(() -> app.counts().idle() == 1);
			try (RawHttpConnection operator = app.connect()) {
				RawHttpResponse response = operator
					.postJson("/actuator/keepalive", "{\"drainDelay\":\"0s\",\"timeout\":\"20s\"}")
					.readResponse();
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.connectionClose()).isTrue();
				JsonNode report = json.readTree(response.bodyText());
				assertThat(report.get("trigger").asString()).isEqualTo("runtime");
				assertThat(report.get("forced").asInt()).isZero();
				assertThat(report.get("closedIdle").asInt()).isEqualTo(1);
				// over once the idle connection had its grace (1s), long before the
				// timeout
				assertThat(report.get("drainingMillis").asLong()).isBetween(900L, 10_000L);
				assertThat(operator.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			}
			assertThat(idle.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> RawHttpConnection.open(port));
			assertThat(app.context().isActive()).isTrue();
			assertThat(meters.get("keepalive.drain").tag("phase", "total").timer().count()).isEqualTo(1);
		}
	}

	private static double gauge(MeterRegistry meters, String state, int port) {
		return meters.get("keepalive.connections")
			.tag("state", state)
			.tag("port", String.valueOf(port))
			.gauge()
			.value();
	}

	private static long closedMeter(MeterRegistry meters, CloseReason reason) {
		return (long) meters.get("keepalive.connections.closed").tag("reason", reason.tag()).functionCounter().count();
	}

}
