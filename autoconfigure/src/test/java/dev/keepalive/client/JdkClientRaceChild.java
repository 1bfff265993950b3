package dev.keepalive.client;

import java.time.Duration;

import dev.keepalive.client.ClientRace.Result;
import dev.keepalive.client.ClientRace.Schedule;

/**
 * The JDK client's half of a race pair, in a JVM of its own: the JDK reads
 * {@code jdk.httpclient.keepalive.timeout} once per JVM. Arguments: run name, one
 * {@code keepalive.client.*} property, server idle timeout (ms), lanes, requests per
 * lane, seed, {@link ClientKind}.
 */
public final class JdkClientRaceChild {

	private JdkClientRaceChild() {
	}

	public static void main(String[] args) throws Exception {
		Schedule schedule = new Schedule(Duration.ofMillis(Long.parseLong(args[2])), Integer.parseInt(args[3]),
				Integer.parseInt(args[4]), Long.parseLong(args[5]));
		ClientKind kind = ClientKind.valueOf(args[6]);
		try (ClientApp app = ClientApp.start(kind, args[1])) {
			Result result = ClientRace.run(kind + " " + args[0], schedule, app::post);
			System.out.println(result);
			RacePairs.print(result);
		}
		System.exit(0);
	}

}
