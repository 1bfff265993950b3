package dev.keepalive.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invalid {@code keepalive.*} values stop the application with a failure analysis that
 * names the property, the value and the fix.
 */
class KeepAlivePropertiesValidationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KeepAliveServerAutoConfiguration.class));

	@ParameterizedTest(name = "{0}={1}")
	@CsvSource(delimiter = '|',
			textBlock = """
							keepalive.server.idle-timeout          | -5s   | Invalid value '-5s' for keepalive.server.idle-timeout: it must be at least 1s | Set keepalive.server.idle-timeout to 1s or more, for example 65s.
							keepalive.server.idle-timeout          | 500ms | Invalid value '500ms' for keepalive.server.idle-timeout: it must be at least 1s | Set keepalive.server.idle-timeout to 1s or more, for example 65s.
							keepalive.server.headers-timeout       | 0s    | Invalid value '0s' for keepalive.server.headers-timeout: it must be a positive duration | Set keepalive.server.headers-timeout to a positive duration, for example 20s.
							keepalive.server.max-connection-age    | -1s   | Invalid value '-1s' for keepalive.server.max-connection-age: it must be a positive duration | Set keepalive.server.max-connection-age to a positive duration, for example 10m.
							keepalive.server.upstream-idle-timeout | 0s    | Invalid value '0s' for keepalive.server.upstream-idle-timeout: it must be a positive duration | Set keepalive.server.upstream-idle-timeout to a positive duration, for example 60s.
							keepalive.server.min-request-body-rate | -1B  | Invalid value '-1B' for keepalive.server.min-request-body-rate: it must not be negative | Set keepalive.server.min-request-body-rate to a rate per second such as 240B, or 0B to turn it off.
							keepalive.server.min-response-rate     | -1B  | Invalid value '-1B' for keepalive.server.min-response-rate: it must not be negative | Set keepalive.server.min-response-rate to a rate per second such as 240B, or 0B to turn it off.
							keepalive.server.min-data-rate-grace   | 0s    | Invalid value '0s' for keepalive.server.min-data-rate-grace: it must be a positive duration | Set keepalive.server.min-data-rate-grace to a positive duration, for example 5s.
							keepalive.server.pressure.high-water-mark | 1 | Invalid value '1.0' for keepalive.server.pressure.high-water-mark: it must be a fraction between 0 and 1 (exclusive) of the maximum connections | Set keepalive.server.pressure.high-water-mark to a value such as 0.8.
							keepalive.server.pressure.min-idle-timeout | 500ms | Invalid value '500ms' for keepalive.server.pressure.min-idle-timeout: it must be at least 1s | Set keepalive.server.pressure.min-idle-timeout to 1s or more, for example 5s.
							keepalive.server.pressure.max-connections | 1 | Invalid value '1' for keepalive.server.pressure.max-connections: it must be at least 2 | Set keepalive.server.pressure.max-connections to the connections a connector can hold, or remove it to use the server's own limit.
							keepalive.server.max-requests-per-connection | 0 | Invalid value '0' for keepalive.server.max-requests-per-connection: it must be at least 1 (1 disables keep-alive) | Set keepalive.server.max-requests-per-connection to 1 or more, or remove it to keep the server's own limit.
							keepalive.shutdown.drain-delay         | -1s   | Invalid value '-1s' for keepalive.shutdown.drain-delay: it must not be negative | Set keepalive.shutdown.drain-delay to 0s or more (about twice your load balancer's readiness check interval).
							keepalive.shutdown.quiet-period        | -1s   | Invalid value '-1s' for keepalive.shutdown.quiet-period: it must not be negative | Set keepalive.shutdown.quiet-period to 0s or more, for example 1s.
							keepalive.shutdown.min-drain-delay     | -2s   | Invalid value '-2s' for keepalive.shutdown.min-drain-delay: it must not be negative | Set keepalive.shutdown.min-drain-delay to 0s or more, for example 2s.
							keepalive.shutdown.probe-paths         | health | Invalid value 'health' for keepalive.shutdown.probe-paths: each path must start with '/' (and include the context path) | Set keepalive.shutdown.probe-paths to paths such as /actuator/health.
							keepalive.shutdown.timeout             | 0ms   | Invalid value '0s' for keepalive.shutdown.timeout: it must be a positive duration | Set keepalive.shutdown.timeout to a positive duration, for example 30s.
							keepalive.shutdown.websocket-close-grace | -1s | Invalid value '-1s' for keepalive.shutdown.websocket-close-grace: it must not be negative | Set keepalive.shutdown.websocket-close-grace to 0s or more, for example 1s.
					keepalive.client.max-idle-time         | -2s   | Invalid value '-2s' for keepalive.client.max-idle-time: it must be a positive duration | Set keepalive.client.max-idle-time to a positive duration, for example 4s.
							""")
	void invalidValueIsReportedWithPropertyValueAndFix(String property, String value, String description,
			String action) {
		this.runner.withPropertyValues(property + "=" + value).run((context) -> {
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).isEqualTo(description);
			assertThat(analysis.getAction()).isEqualTo(action);
		});
	}

	@Test
	void idleTimeoutNotAboveUpstreamIdleTimeoutIsReported() {
		this.runner
			.withPropertyValues("keepalive.server.upstream-idle-timeout=60s", "keepalive.server.idle-timeout=60500ms")
			.run((context) -> {
				FailureAnalysis analysis = analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).isEqualTo(
						"Invalid value '60500ms' for keepalive.server.idle-timeout: it must exceed keepalive.server.upstream-idle-timeout"
								+ " (60s) by at least 1s, otherwise the application closes idle connections that the proxy"
								+ " in front of it may still reuse");
				assertThat(analysis.getAction()).isEqualTo(
						"Set keepalive.server.idle-timeout to 65s or more, or correct keepalive.server.upstream-idle-timeout"
								+ " if the proxy's idle timeout is shorter.");
			});
	}

	@Test
	void minDrainDelayAboveDrainDelayIsReported() {
		this.runner.withPropertyValues("keepalive.shutdown.drain-delay=10s", "keepalive.shutdown.min-drain-delay=15s")
			.run((context) -> {
				FailureAnalysis analysis = analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).isEqualTo(
						"Invalid value '15s' for keepalive.shutdown.min-drain-delay: it must not exceed keepalive.shutdown.drain-delay"
								+ " (10s), the longest the drain delay lasts");
				assertThat(analysis.getAction()).isEqualTo(
						"Set keepalive.shutdown.min-drain-delay to at most 10s, or raise keepalive.shutdown.drain-delay.");
			});
	}

	@Test
	void probePathsDefaultToTheHealthEndpointUnderTheContextAndBasePaths() {
		this.runner.run((context) -> assertThat(probePaths(context)).containsExactly("/actuator/health"));
		this.runner
			.withPropertyValues("server.servlet.context-path=/shop/", "management.endpoints.web.base-path=/manage")
			.run((context) -> assertThat(probePaths(context)).containsExactly("/shop/manage/health"));
		this.runner.withPropertyValues("spring.webflux.base-path=/shop")
			.run((context) -> assertThat(probePaths(context)).containsExactly("/shop/actuator/health"));
		this.runner.withPropertyValues("keepalive.shutdown.probe-paths=/ping,/ready")
			.run((context) -> assertThat(probePaths(context)).containsExactly("/ping", "/ready"));
	}

	private static List<String> probePaths(AssertableWebApplicationContext context) {
		return KeepAliveServerAutoConfiguration.probePaths(context.getBean(KeepAliveProperties.class).getShutdown(),
				context.getEnvironment());
	}

	@Test
	void idleTimeoutOneSecondAboveUpstreamIdleTimeoutIsAccepted() {
		this.runner
			.withPropertyValues("keepalive.server.upstream-idle-timeout=60s", "keepalive.server.idle-timeout=61s")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void defaultsAreValid() {
		this.runner.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(KeepAliveProperties.class));
	}

	@Test
	void failureAnalyzerIsRegistered() {
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, FailureHandler.handleMessage((message, failure) -> {
				// Spring Boot's own analyzers want constructor arguments: not needed here
			}));
		assertThat(analyzers).hasAtLeastOneElementOfType(InvalidKeepAlivePropertyFailureAnalyzer.class);
	}

	private static FailureAnalysis analyze(Throwable failure) {
		assertThat(failure).isNotNull();
		FailureAnalysis analysis = new InvalidKeepAlivePropertyFailureAnalyzer().analyze(failure);
		assertThat(analysis).as("failure analysis of %s", failure).isNotNull();
		return analysis;
	}

}
