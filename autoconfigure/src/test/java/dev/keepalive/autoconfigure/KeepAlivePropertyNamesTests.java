package dev.keepalive.autoconfigure;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A property under {@code keepalive.} that Keepalive does not know stops the application
 * with the closest valid name, unless {@code keepalive.strict-properties=false}.
 */
class KeepAlivePropertyNamesTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KeepAlivePropertyNamesAutoConfiguration.class));

	@Test
	void misspeltPropertyIsReportedWithTheClosestValidName() {
		this.runner.withPropertyValues("keepalive.server.upstream-idle-timout=60s").run((context) -> {
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription())
				.isEqualTo("Keepalive does not know these properties, so they would have no effect:\n"
						+ "Unknown property 'keepalive.server.upstream-idle-timout' (\"keepalive.server.upstream-idle-timout\""
						+ " from property source \"test\"): did you mean 'keepalive.server.upstream-idle-timeout'?");
			assertThat(analysis.getAction()).contains("keepalive.strict-properties=false");
		});
	}

	@Test
	void everyUnknownPropertyIsReportedOnce() {
		this.runner
			.withPropertyValues("keepalive.shutdown.drain-dealy=5s", "keepalive.client.max-idle=4s",
					"keepalive.server.idleTimout=70s")
			.withSystemProperties("keepalive.shutdown.drain-dealy=6s")
			.run((context) -> {
				assertThat(context.getStartupFailure()).isInstanceOf(UnknownKeepAlivePropertyException.class);
				UnknownKeepAlivePropertyException exception = (UnknownKeepAlivePropertyException) context
					.getStartupFailure();
				assertThat(exception.getNames()).containsExactlyInAnyOrder("keepalive.shutdown.drain-dealy",
						"keepalive.client.max-idle", "keepalive.server.idletimout");
				assertThat(exception.getMessage()).containsOnlyOnce("'keepalive.shutdown.drain-dealy'")
					.contains("did you mean 'keepalive.shutdown.drain-delay'?")
					.contains("did you mean 'keepalive.client.max-idle-time'?")
					.contains("did you mean 'keepalive.server.idle-timeout'?");
			});
	}

	@Test
	void relaxedFormsOfValidNamesAreAccepted() {
		this.runner
			.withPropertyValues("keepalive.server.idleTimeout=70s", "keepalive.shutdown.drain_delay=1s",
					"keepalive.client.MAX-IDLE-TIME=3s", "keepalive.enabled=true")
			.withInitializer(environmentVariables(
					Map.of("KEEPALIVE_SERVER_HEADERS_TIMEOUT", "10s", "KEEPALIVE_SHUTDOWN_IDLEGRACE", "1s")))
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void misspeltEnvironmentVariableIsReported() {
		this.runner.withInitializer(environmentVariables(Map.of("KEEPALIVE_SERVER_HEADER_TIMEOUT", "10s")))
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("did you mean 'keepalive.server.headers-timeout'?"));
	}

	@Test
	void environmentVariableFarFromEveryPropertyBelongsToAnotherProgramAndIsIgnored() {
		this.runner.withInitializer(environmentVariables(Map.of("KEEPALIVE_INTERVAL", "30", "KEEPALIVE_PROBES", "9")))
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void unknownPropertyIsAllowedWhenStrictPropertiesIsFalse() {
		this.runner.withPropertyValues("keepalive.server.upstream-idle-timout=60s", "keepalive.strict-properties=false")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void namesAreCheckedWhenKeepaliveIsDisabled() {
		this.runner.withPropertyValues("keepalive.enabled=false", "keepalive.enable=false")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("did you mean 'keepalive.enabled'?"));
	}

	@Test
	void failureAnalyzerIsRegistered() {
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, FailureHandler.handleMessage((message, failure) -> {
				// Spring Boot's own analyzers want constructor arguments: not needed here
			}));
		assertThat(analyzers).hasAtLeastOneElementOfType(UnknownKeepAlivePropertyFailureAnalyzer.class);
	}

	private static ApplicationContextInitializer<ConfigurableApplicationContext> environmentVariables(
			Map<String, String> variables) {
		return (context) -> context.getEnvironment()
			.getPropertySources()
			.addFirst(new SystemEnvironmentPropertySource("test-systemEnvironment", new HashMap<>(variables)));
	}

	private static FailureAnalysis analyze(Throwable failure) {
		assertThat(failure).isNotNull();
		FailureAnalysis analysis = new UnknownKeepAlivePropertyFailureAnalyzer().analyze(failure);
		assertThat(analysis).as("failure analysis of %s", failure).isNotNull();
		return analysis;
	}

}
