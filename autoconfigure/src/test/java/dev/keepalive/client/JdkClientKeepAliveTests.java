package dev.keepalive.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.keepalive.client.ClientRace.Schedule;
import dev.keepalive.testsupport.Background;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The keep-alive race for the JDK {@code HttpClient}, whose only setting is the
 * process-wide {@code jdk.httpclient.keepalive.timeout}, read once: the baseline and the
 * policy run are two child JVMs, started at the same time, for {@code RestClient} and for
 * {@code WebClient}. The JDK closes expired connections from its selector thread, up to a
 * second late, and the starter sets the timeout one second below {@code max-idle-time}:
 * with a 2s max-idle-time the JDK keeps idle connections for 1 to 2 s, below this
 * server's 4 s.
 */
class JdkClientKeepAliveTests {

	static final Schedule SCHEDULE = new Schedule(Duration.ofSeconds(4), 40, 8, 42);

	@Test
	void staleConnectionFailuresOfJdkDefaultsDisappearWithClientIdleShorterThanServerKeepAlive() {
		// RestClient and WebClient at the same time: four child JVMs, mostly asleep
		CompletableFuture<RacePairs.Pair> webClient = Background
			.run(() -> RacePairs.jdkInChildJvms(ClientKind.JDK_WEB_CLIENT, SCHEDULE, "2s"));
		RacePairs.Pair restClient = RacePairs.jdkInChildJvms(ClientKind.JDK_REST_CLIENT, SCHEDULE, "2s");
		assertPolicyRemovesFailures(restClient);
		assertPolicyRemovesFailures(webClient.join());
	}

	private static void assertPolicyRemovesFailures(RacePairs.Pair pair) {
		System.out.println(pair.baseline());
		System.out.println(pair.policy());
		ClientKeepAliveRaceTests.assertBaselineFails(pair.baseline());
		assertThat(pair.policy().failures()).as(pair.policy().toString()).isZero();
		assertThat(pair.policy().serverConnections()).as(pair.policy().toString())
			.isLessThan(pair.policy().requests() - SCHEDULE.lanes());
		assertThat(pair.policyOutput()).contains("Keepalive client policy for JDK HttpClient: best effort")
			.contains("jdk.httpclient.keepalive.timeout=1")
			.contains("Keep-Alive header NOT honoured");
	}

}
