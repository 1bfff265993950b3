package dev.keepalive.client;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import dev.keepalive.client.ClientRace.Result;
import dev.keepalive.client.ClientRace.Schedule;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The keep-alive race through a delaying proxy, for each client library Spring Boot
 * builds, behind {@code RestClient} and {@code WebClient}: the library's defaults really
 * fail, and the same schedule run at the same time through a client with the starter's
 * policy (client idle 1s &lt; server 2s) does not fail once. The JDK client, whose
 * setting is process-wide, is in {@link JdkClientKeepAliveTests}.
 */
@ExtendWith(OutputCaptureExtension.class)
class ClientKeepAliveRaceTests {

	// Server 2s, client 0.25s: 1.75s of margin, that a busy machine does not eat. At
	// most 25 lanes: Apache HttpClient's pool holds 25 connections in all by default.
	static final Schedule SCHEDULE = new Schedule(Duration.ofSeconds(2), 24, 10, 42);

	static final String MAX_IDLE_TIME = "250ms";

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "Apache HttpClient", "Jetty client", "Reactor Netty" })
	void staleConnectionFailuresOfLibraryDefaultsDisappearWithClientIdleShorterThanServerKeepAlive(String library,
			CapturedOutput output) {
		// RestClient and WebClient at the same time: the lanes mostly sleep
		List<ClientKind> kinds = Arrays.stream(ClientKind.values())
			.filter((kind) -> kind.library().equals(library) && kind.api() != ClientKind.Api.REST_TEMPLATE)
			.toList();
		assertThat(kinds).hasSize(2);
		RacePairs.inProcess(kinds, SCHEDULE, "keepalive.client.max-idle-time=" + MAX_IDLE_TIME)
			.forEach((kind, pair) -> {
				System.out.println(pair.baseline());
				System.out.println(pair.policy());
				assertBaselineFails(pair.baseline());
				assertThat(pair.policy().failures()).as(pair.policy().toString()).isZero();
				// Short gaps still reuse connections
				assertThat(pair.policy().serverConnections()).as(pair.policy().toString())
					.isLessThan(pair.policy().requests() - SCHEDULE.lanes());
			});
		assertThat(output).contains("Keepalive client policy for " + library + ": max idle " + MAX_IDLE_TIME);
	}

	static void assertBaselineFails(Result baseline) {
		// About 20-30% expected (every gap in the 80 ms race window fails); 2% is a
		// safe floor
		assertThat(baseline.failures()).as(baseline.toString())
			.isGreaterThanOrEqualTo((int) Math.ceil(baseline.requests() * 0.02));
	}

}
