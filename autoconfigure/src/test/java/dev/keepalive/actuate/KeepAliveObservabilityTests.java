package dev.keepalive.actuate;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.keepalive.server.CloseReason;
import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The actuator endpoint, health contributor and meters report the connections exactly,
 * and the drain operation is off until access is granted.
 */
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
				await().atMost(Duration.ofSeconds(10)).until(() -> app.controller().inFlight() == 1);
				try (RawHttpConnection observer = app.connect()) {
					// the observer's own connection is active while it asks
					await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
						RawHttpResponse response = observer.get("/actuator/keepalive").readResponse();
						assertThat(response.status()).isEqualTo(200);
						assertThat(response.bodyText()).doesNotContain("127.0.0.1");
						JsonNode connector = json.readTree(response.bodyText()).get("connectors").get(0);
						assertThat(connector.get("port").asInt()).isEqualTo(app.port());
						JsonNode counts = connector.get("connections");
						assertThat(counts.get("open").asInt()).isEqualTo(4);
						assertThat(counts.get("idle").asInt()).isEqualTo(1);
						assertThat(counts.get("readingHeaders").asInt()).isEqualTo(1);
						assertThat(counts.get("active").asInt()).isEqualTo(2);
					});
					// once its response completes, the observer's connection is idle too
					await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
						assertThat(gauge(meters, "idle", app.port())).isEqualTo(2);
						assertThat(gauge(meters, "reading-headers", app.port())).isEqualTo(1);
						assertThat(gauge(meters, "active", app.port())).isEqualTo(1);
						assertThat(gauge(meters, "async", app.port())).isZero();
					});
					JsonNode body = json.readTree(observer.get("/actuator/keepalive").readResponse().bodyText());
					assertThat(body.get("phase").asString()).isEqualTo("SERVING");
					assertThat(body.get("connectors").get(0).get("limits").get("idleTimeout").asString())
						.isEqualTo("65s");
				}
			}
			finally {
				app.controller().releaseHangingRequests();
				for (RawHttpConnection connection : connections) {
					connection.close();
				}
			}
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				for (String state : List.of("idle", "reading-headers", "active", "async", "upgraded")) {
					assertThat(gauge(meters, state, app.port())).as(state).isZero();
				}
			});
			assertThat(meters.get("keepalive.connections.closed").tag("reason", "client").functionCounter().count())
				.isEqualTo(app.closed(CloseReason.CLIENT))
				.isGreaterThanOrEqualTo(4);
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
			assertThat(response.status()).isBetween(400, 499);
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
			try (RawHttpConnection operator = app.connect()) {
				RawHttpResponse response = operator
					.postJson("/actuator/keepalive", "{\"drainDelay\":\"0s\",\"timeout\":\"5s\"}")
					.readResponse();
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.connectionClose()).isTrue();
				JsonNode report = json.readTree(response.bodyText());
				assertThat(report.get("trigger").asString()).isEqualTo("runtime");
				assertThat(report.get("forced").asInt()).isZero();
				assertThat(report.get("totalMillis").asLong()).isLessThan(5000);
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

}
