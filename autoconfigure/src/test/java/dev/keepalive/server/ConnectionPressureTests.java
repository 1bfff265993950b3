package dev.keepalive.server;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import dev.keepalive.testsupport.WebStack;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Past the high-water mark of its connections, a connector yields keep-alive: the idle
 * connections beyond the mark are closed, those idle longest first, and the idle timeout
 * (and the advertised {@code Keep-Alive}) shrinks toward its floor; at or below the mark
 * nothing changes.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConnectionPressureTests {

	private static final String MARK = "keepalive.server.pressure.high-water-mark=0.5";

	private static final String FLOOR = "keepalive.server.pressure.min-idle-timeout=2s";

	private static final String IDLE_TIMEOUT = "keepalive.server.idle-timeout=20s";

	private static final String MAX_10 = "keepalive.server.pressure.max-connections=10";

	/** Connections receiving headers are neither idle nor closed by their deadline. */
	private static final String HEADERS_TIMEOUT = "keepalive.server.headers-timeout=60s";

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withServletContainers")
	void idleConnectionsBeyondTheServersOwnMarkAreClosedIdleLongestFirst(ServerKind server, WebStack stack,
			CapturedOutput output) throws Exception {
		List<RawHttpConnection> connections = new ArrayList<>();
		try (TestApp app = TestApp.start(server, stack, serverMaxConnections(server, 10), MARK, FLOOR, IDLE_TIMEOUT)) {
			List<RawHttpConnection> oldest = openWithOneRequest(app, 3, connections);
			await().atMost(Duration.ofSeconds(5))
				.until(() -> app.serverConnections()
					.connectionsOtherThan(null)
					.stream()
					.allMatch((connection) -> connection.idleMillis() >= 500));
			List<RawHttpConnection> recent = openWithOneRequest(app, 5, connections);
			await().atMost(Duration.ofSeconds(5)).until(() -> app.closed(CloseReason.PRESSURE) == 3);
			for (RawHttpConnection connection : oldest) {
				assertThat(connection.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			}
			for (RawHttpConnection connection : recent) {
				assertThat(connection.get("/hello").readResponse().status()).isEqualTo(200);
			}
			assertThat(app.closed(CloseReason.PRESSURE)).isEqualTo(3);
			assertThat(pressure(app).maxConnections()).isEqualTo(10);
			assertThat(pressure(app).highWaterMark()).isEqualTo(5);
			assertThat(output).containsOnlyOnce("is under connection pressure")
				.contains("of 10 connections open, above the high-water mark of 5");
		}
		finally {
			closeAll(connections);
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void pastTheMarkTheIdleTimeoutAndItsKeepAliveHeaderShrinkAndRecover(ServerKind server, WebStack stack,
			CapturedOutput output) throws Exception {
		List<RawHttpConnection> readingHeaders = new ArrayList<>();
		try (TestApp app = TestApp.start(server, stack, MAX_10, MARK, FLOOR, IDLE_TIMEOUT, HEADERS_TIMEOUT)) {
			MeterRegistry meters = app.context().getBean(MeterRegistry.class);
			for (int i = 0; i < 7; i++) {
				readingHeaders.add(app.connect().send("GET /hello HTTP/1.1\r\n"));
			}
			// 7 open, 2 of the 5 between the mark and the maximum: 20s - 18s * 2/5
			await().atMost(Duration.ofSeconds(5))
				.until(() -> pressure(app).idleTimeoutMillis(20_000) == 12_800 && pressure(app).isUnderPressure());
			assertThat(idleTimeoutGauge(meters, app)).isEqualTo(12.8);
			try (RawHttpConnection client = app.connect()) {
				RawHttpResponse response = client.get("/hello").readResponse();
				assertThat(response.status()).isEqualTo(200);
				// 9 or 12: the sweep may have counted this connection (8 open) or not
				assertThat(response.header("Keep-Alive")).isIn("timeout=12", "timeout=9");
				// idle beyond the mark after its request: closed
				assertThat(client.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			}
			await().atMost(Duration.ofSeconds(5)).until(() -> app.closed(CloseReason.PRESSURE) == 1);
			closeAll(readingHeaders);
			await().atMost(Duration.ofSeconds(5)).until(() -> pressure(app).idleTimeoutMillis(20_000) == 20_000);
			assertThat(idleTimeoutGauge(meters, app)).isEqualTo(20.0);
			try (RawHttpConnection client = app.connect()) {
				RawHttpResponse response = client.get("/hello").readResponse();
				assertThat(response.header("Keep-Alive")).isEqualTo("timeout=20");
				// five quiet seconds at or below the mark end the pressure, logged once
				await().atMost(Duration.ofSeconds(15)).until(() -> !pressure(app).isUnderPressure());
				assertThat(client.isOpen()).isTrue();
			}
			assertThat(output).containsOnlyOnce("is under connection pressure");
			// the sweeper logs the end just after it clears the pressure the test waited
			// for
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(output).containsOnlyOnce("ended after"));
		}
		finally {
			closeAll(readingHeaders);
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void atTheMarkIdleConnectionsKeepTheirFullIdleTimeout(ServerKind server) throws Exception {
		List<RawHttpConnection> connections = new ArrayList<>();
		try (TestApp app = TestApp.start(server, MAX_10, MARK, FLOOR, IDLE_TIMEOUT)) {
			openWithOneRequest(app, 5, connections);
			assertAllStayOpen(app, 5, Duration.ofSeconds(2));
			for (RawHttpConnection connection : connections) {
				RawHttpResponse response = connection.get("/hello").readResponse();
				assertThat(response.header("Keep-Alive")).isEqualTo("timeout=20");
			}
			assertThat(pressure(app).isUnderPressure()).isFalse();
		}
		finally {
			closeAll(connections);
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void withPressureOffIdleConnectionsBeyondTheMarkStayOpen(ServerKind server) throws Exception {
		List<RawHttpConnection> connections = new ArrayList<>();
		try (TestApp app = TestApp.start(server, "keepalive.server.pressure.enabled=false", MAX_10, MARK, FLOOR,
				IDLE_TIMEOUT)) {
			openWithOneRequest(app, 8, connections);
			assertAllStayOpen(app, 8, Duration.ofSeconds(2));
			assertThat(pressure(app).maxConnections()).isNull();
		}
		finally {
			closeAll(connections);
		}
	}

	@Test
	void jettyWithoutAConnectionLimitHasNoMaximumToMeasureAgainst() throws Exception {
		List<RawHttpConnection> connections = new ArrayList<>();
		try (TestApp app = TestApp.start(ServerKind.JETTY, MARK, FLOOR, IDLE_TIMEOUT)) {
			openWithOneRequest(app, 8, connections);
			assertAllStayOpen(app, 8, Duration.ofSeconds(1));
			assertThat(pressure(app).maxConnections()).isNull();
			assertThat(app.serverConnections().connectors().get(0).limits().maxConnections()).isNull();
		}
		finally {
			closeAll(connections);
		}
	}

	private static String serverMaxConnections(ServerKind server, int max) {
		return ((server == ServerKind.TOMCAT) ? "server.tomcat.max-connections=" : "server.jetty.max-connections=")
				+ max;
	}

	private static List<RawHttpConnection> openWithOneRequest(TestApp app, int count, List<RawHttpConnection> opened)
			throws IOException {
		List<RawHttpConnection> connections = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			RawHttpConnection connection = app.connect();
			opened.add(connection);
			connections.add(connection);
			assertThat(connection.get("/hello").readResponse().status()).isEqualTo(200);
		}
		return connections;
	}

	private static void assertAllStayOpen(TestApp app, int open, Duration duration) {
		await().pollDelay(Duration.ofMillis(100))
			.during(duration)
			.atMost(duration.plusSeconds(3))
			.until(() -> app.counts().open() == open && app.closed(CloseReason.PRESSURE) == 0);
	}

	private static ConnectorPressure pressure(TestApp app) {
		return app.serverConnections().connectors().get(0).connections().pressure();
	}

	private static double idleTimeoutGauge(MeterRegistry meters, TestApp app) {
		return meters.get("keepalive.idle-timeout")
			.tag("port", String.valueOf(app.port()))
			.timeGauge()
			.value(TimeUnit.SECONDS);
	}

	private static void closeAll(List<RawHttpConnection> connections) throws IOException {
		for (RawHttpConnection connection : connections) {
			connection.close();
		}
	}

}
