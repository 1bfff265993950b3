package dev.keepalive.drain;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.keepalive.testsupport.ChildApp;
import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A whole application in a process of its own, stopped with SIGTERM as an orchestrator
 * does: it drains, answers its in-flight request, logs the phases and exits promptly.
 */
class ShutdownSignalTests {

	private static final Duration DRAIN_DELAY = Duration.ofSeconds(1);

	private static final Duration IN_FLIGHT = Duration.ofSeconds(2);

	private static final Pattern ACTIVE = Pattern.compile("\"active\":(\\d+)");

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void sigtermDrainsAndExitsWithinDrainDelayPlusInFlightTime(ServerKind server) throws Exception {
		String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
		Path log = Files.createTempFile("keepalive-child-", ".log");
		Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
				ChildApp.class.getName(), server.name(), "keepalive.shutdown.drain-delay=1s",
				"keepalive.shutdown.timeout=20s")
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		try {
			await().atMost(Duration.ofSeconds(60)).until(() -> port(log) > 0);
			try (RawHttpConnection inFlight = RawHttpConnection.open(port(log))) {
				inFlight.get("/work?ms=" + IN_FLIGHT.toMillis());
				int port = port(log);
				// the request asking counts as active too
				await().atMost(Duration.ofSeconds(10)).until(() -> activeConnections(port) == 2);
				long signalled = System.nanoTime();
				process.destroy();
				RawHttpResponse response = inFlight.readResponse();
				assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
				Duration exit = Duration.ofNanos(System.nanoTime() - signalled);
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.connectionClose()).isTrue();
				assertThat(exit).isLessThan(DRAIN_DELAY.plus(IN_FLIGHT).plusSeconds(2));
			}
			assertThat(Files.readString(log)).contains("Keepalive drain (shutdown) DRAIN_DELAY")
				.contains("Keepalive drain DRAINING: stopped accepting")
				.containsPattern("Keepalive drain STOPPED after [0-9.]+s .*: 1 requests served during the drain;"
						+ " connections closed idle 0, after response 1, upgraded 0, forced 0");
		}
		finally {
			process.destroyForcibly();
			Files.deleteIfExists(log);
		}
	}

	private static int activeConnections(int port) throws IOException {
		try (RawHttpConnection connection = RawHttpConnection.open(port)) {
			Matcher active = ACTIVE.matcher(connection.get("/actuator/keepalive").readResponse().bodyText());
			return active.find() ? Integer.parseInt(active.group(1)) : -1;
		}
	}

	private static int port(Path log) throws IOException {
		for (String line : Files.readAllLines(log)) {
			if (line.startsWith(ChildApp.PORT_LINE)) {
				return Integer.parseInt(line.substring(ChildApp.PORT_LINE.length()));
			}
		}
		return -1;
	}

}
