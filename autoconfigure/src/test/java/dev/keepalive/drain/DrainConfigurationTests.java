package dev.keepalive.drain;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The drain settings the README documents: the drain delay's default by platform,
 * {@code keepalive.shutdown.enabled=false}, and health while draining.
 */
class DrainConfigurationTests {

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void drainDelayIsAtMostFiveSecondsOnKubernetesUntilQuietAndNoneElsewhere(ServerKind server) {
		try (TestApp app = TestApp.start(server, "spring.main.cloud-platform=kubernetes")) {
			DrainSettings settings = app.drain().settings();
			assertThat(settings.drainDelay()).isEqualTo(Duration.ofSeconds(5));
			assertThat(settings.quietPeriod()).isEqualTo(Duration.ofSeconds(1));
			assertThat(settings.minDrainDelay()).isEqualTo(Duration.ofSeconds(2));
		}
		try (TestApp app = TestApp.start(server)) {
			DrainSettings settings = app.drain().settings();
			assertThat(settings.drainDelay()).isZero();
			assertThat(settings.quietPeriod()).isNull();
			assertThat(settings.minDrainDelay()).isZero();
		}
		try (TestApp app = TestApp.start(server, "spring.main.cloud-platform=kubernetes",
				"keepalive.shutdown.drain-delay=2s", "keepalive.shutdown.quiet-period=0s",
				"keepalive.shutdown.min-drain-delay=1s")) {
			DrainSettings settings = app.drain().settings();
			assertThat(settings.drainDelay()).isEqualTo(Duration.ofSeconds(2));
			assertThat(settings.quietPeriod()).as("0s turns it off").isNull();
			assertThat(settings.minDrainDelay()).isEqualTo(Duration.ofSeconds(1));
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void shutdownDisabledLeavesTheShutdownToSpringBootAndKeepsTheRuntimeDrain(ServerKind server) {
		ServerDrain drain;
		try (TestApp app = TestApp.start(server, "keepalive.shutdown.enabled=false")) {
			assertThat(app.beans(DrainLifecycle.class)).isEmpty();
			drain = app.drain();
		}
		assertThat(drain.report()).as("no drain ran at shutdown").isNull();
		assertThat(drain.phase()).isEqualTo(DrainPhase.SERVING);
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void healthStaysUpWhileReadinessIsDownDuringTheDrain(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "management.server.port=0", "keepalive.shutdown.drain-delay=3s",
				"management.endpoint.health.show-details=always")) {
			int managementPort = app.context().getEnvironment().getProperty("local.management.port", Integer.class);
			CompletableFuture<Void> closed = app.closeInBackground(DrainPhase.DRAIN_DELAY);
			RawHttpResponse readiness = get(managementPort, "/actuator/health/readiness");
			RawHttpResponse health = get(managementPort, "/actuator/health/keepalive");
			assertThat(readiness.status()).isEqualTo(503);
			assertThat(health.status()).isEqualTo(200);
			assertThat(health.bodyText()).contains("\"status\":\"UP\"").contains("\"drainPhase\":\"DRAIN_DELAY\"");
			closed.get(30, TimeUnit.SECONDS);
		}
	}

	private static RawHttpResponse get(int port, String path) throws Exception {
		try (RawHttpConnection connection = RawHttpConnection.open(port)) {
			return connection.get(path).readResponse();
		}
	}

}
