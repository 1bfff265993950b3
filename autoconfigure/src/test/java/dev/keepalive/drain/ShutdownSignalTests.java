package dev.keepalive.drain;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.keepalive.testsupport.ChildApp;
import dev.keepalive.testsupport.ChildJvm;
import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A whole application in a process of its own, stopped with SIGTERM as an orchestrator
 * does: it drains, answers its in-flight request, logs the phases and exits on time,
 * whatever its handlers do.
 */
class ShutdownSignalTests {

	private static final Duration DRAIN_DELAY = Duration.ofSeconds(1);

	private static final Pattern ACTIVE = Pattern.compile("\"active\":(\\d+)");

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void sigtermDrainsAnswersTheRequestInFlightAndExitsWhenItIsDone(ServerKind server) throws Exception {
		Duration inFlight = Duration.ofSeconds(2);
		try (ChildJvm child = start(server, "keepalive.shutdown.timeout=20s")) {
			int port = awaitPort(child);
			try (RawHttpConnection connection = RawHttpConnection.open(port)) {
				connection.get("/work?ms=" + inFlight.toMillis());
				awaitActive(port, 1);
				long signalled = System.nanoTime();
				child.terminate();
				RawHttpResponse response = connection.readResponse();
				assertThat(child.awaitExit(Duration.ofSeconds(30))).isTrue();
				Duration exit = Duration.ofNanos(System.nanoTime() - signalled);
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.connectionClose()).isTrue();
				assertThat(exit).isLessThan(DRAIN_DELAY.plus(inFlight).plusSeconds(2));
			}
			assertThat(child.output()).contains("Keepalive drain (shutdown) DRAIN_DELAY")
				.contains("Keepalive drain DRAINING: stopped accepting")
				.containsPattern("Keepalive drain STOPPED after [0-9.]+s .*: 1 request served during the drain;"
						+ " connections closed idle 0, after response 1, upgraded 0, forced 0");
		}
	}

	@ParameterizedTest(name = "{0} {1}")
	@CsvSource({ "TOMCAT, /work?ms=60000", "JETTY, /work?ms=60000", "NETTY, /work?ms=60000", "TOMCAT, /spin?ms=60000",
			"JETTY, /spin?ms=60000" })
	void handlerThatWouldRunForAMinuteDoesNotDelayExitBeyondDrainDelayPlusTimeoutPlusTwoSeconds(ServerKind server,
			String path) throws Exception {
		Duration timeout = Duration.ofSeconds(3);
		try (ChildJvm child = start(server, "keepalive.shutdown.timeout=" + timeout.toSeconds() + "s")) {
			int port = awaitPort(child);
			try (RawHttpConnection connection = RawHttpConnection.open(port)) {
				connection.get(path);
				awaitActive(port, 1);
				long signalled = System.nanoTime();
				child.terminate();
				assertThat(connection.awaitClose(Duration.ofSeconds(30))).isIn(Closure.EOF, Closure.RESET);
				assertThat(child.awaitExit(Duration.ofSeconds(60))).isTrue();
				Duration exit = Duration.ofNanos(System.nanoTime() - signalled);
				assertThat(exit).as(child.output()).isLessThan(DRAIN_DELAY.plus(timeout).plusSeconds(2));
			}
			assertThat(child.output()).contains("Keepalive drain FORCE_CLOSING")
				.containsPattern("connections closed idle 0, after response 0, upgraded 0, forced 1");
		}
	}

	private static ChildJvm start(ServerKind server, String... properties) throws IOException {
		String[] args = new String[properties.length + 2];
		args[0] = server.name();
		args[1] = "keepalive.shutdown.drain-delay=" + DRAIN_DELAY.toSeconds() + "s";
		System.arraycopy(properties, 0, args, 2, properties.length);
		return ChildJvm.start(List.of("-Xmx256m"), ChildApp.class, args);
	}

	private static int awaitPort(ChildJvm child) {
		await().atMost(Duration.ofSeconds(60)).until(() -> port(child) > 0);
		return port(child);
	}

	private static int port(ChildJvm child) {
		for (String line : child.output().split("\n")) {
			if (line.startsWith(ChildApp.PORT_LINE)) {
				return Integer.parseInt(line.substring(ChildApp.PORT_LINE.length()).trim());
			}
		}
		return -1;
	}

	/**
	 * Wait until {@code expected} requests are in progress, besides the one asking.
	 */
	private static void awaitActive(int port, int expected) {
		await().atMost(Duration.ofSeconds(10)).until(() -> activeConnections(port) == expected + 1);
	}

	private static int activeConnections(int port) throws IOException {
		try (RawHttpConnection connection = RawHttpConnection.open(port)) {
			Matcher active = ACTIVE.matcher(connection.get("/actuator/keepalive").readResponse().bodyText());
			return active.find() ? Integer.parseInt(active.group(1)) : -1;
		}
	}

}
