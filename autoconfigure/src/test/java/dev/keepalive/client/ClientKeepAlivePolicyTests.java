package dev.keepalive.client;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The idle limit of a connection: {@code max-idle-time}, or {@code N-1} seconds when the
 * server's {@code Keep-Alive: timeout=N} is shorter and honoured.
 */
class ClientKeepAlivePolicyTests {

	@ParameterizedTest(name = "max-idle {0}, honour {1}, Keep-Alive ''{2}'' -> {3}")
	@CsvSource(delimiter = '|', nullValues = "null", textBlock = """
			4s  | true  | null                 | 4s
			4s  | true  | timeout=2            | 1s
			4s  | true  | timeout=65, max=100  | 4s
			4s  | true  | max=5, timeout = 3   | 2s
			4s  | true  | timeout="2"          | 1s
			4s  | true  | timeout=1            | 0s
			4s  | true  | timeout=abc          | 4s
			10s | true  | timeout=2            | 1s
			10s | false | timeout=2            | 10s
			""")
	void idleLimitIsMaxIdleTimeOrKeepAliveTimeoutMinusOneSecond(String maxIdle, boolean honor, String header,
			String expected) {
		ClientKeepAlivePolicy policy = new ClientKeepAlivePolicy(Duration.parse("PT" + maxIdle), honor, true);
		assertThat(policy.idleLimit(header)).isEqualTo(Duration.parse("PT" + expected));
	}

	@ParameterizedTest(name = "max-idle {0} -> jdk.httpclient.keepalive.timeout={1}")
	@CsvSource({ "PT4S, 3", "PT2S, 1", "PT1S, 1", "PT0.5S, 1", "PT1.5S, 1", "PT65S, 64" })
	void jdkKeepAliveTimeoutIsOneSecondBelowMaxIdleTimeAndAtLeastOneSecond(Duration maxIdle, long expected) {
		assertThat(JdkKeepAlive.keepAliveTimeoutSeconds(maxIdle)).isEqualTo(expected);
	}

	@ParameterizedTest
	@CsvSource({ "GET, true", "head, true", "OPTIONS, true", "PUT, true", "DELETE, true", "POST, false",
			"PATCH, false" })
	void onlyIdempotentMethodsAreRetried(String method, boolean idempotent) {
		assertThat(ClientKeepAlivePolicy.isIdempotent(method)).isEqualTo(idempotent);
	}

}
