package dev.keepalive.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import dev.keepalive.client.ClientRace.Result;
import dev.keepalive.client.ClientRace.Schedule;
import dev.keepalive.testsupport.Background;

/**
 * Benchmark behind {@code bench/client-race}: stale-connection failures per 1,000 POSTs
 * through the {@link DelayingProxy} (40 ms each way), per client library, with the
 * library's defaults and with the starter's policy, run at the same time on the same
 * schedule. Prints a table, then one JSON line. Arguments (optional): lanes, requests per
 * lane, seed.
 */
public final class ClientRaceBench {

	private static final String POLICY_MAX_IDLE = "1s";

	private static final String JDK_POLICY_MAX_IDLE = "2s";

	private ClientRaceBench() {
	}

	public static void main(String[] args) throws Exception {
		int lanes = (args.length > 0) ? Integer.parseInt(args[0]) : 25;
		int requestsPerLane = (args.length > 1) ? Integer.parseInt(args[1]) : 12;
		long seed = (args.length > 2) ? Long.parseLong(args[2]) : 7;
		Schedule schedule = new Schedule(Duration.ofSeconds(2), lanes, requestsPerLane, seed);
		// The JDK closes expired connections up to a second late: its server idles 3s
		Schedule jdkSchedule = new Schedule(Duration.ofSeconds(3), lanes, requestsPerLane, seed);
		List<Row> rows = new ArrayList<>();
		for (ClientKind kind : new ClientKind[] { ClientKind.HTTP_COMPONENTS_REST_CLIENT,
				ClientKind.HTTP_COMPONENTS_WEB_CLIENT, ClientKind.JETTY_REST_CLIENT, ClientKind.JETTY_WEB_CLIENT,
				ClientKind.REACTOR_REST_CLIENT, ClientKind.REACTOR_WEB_CLIENT }) {
			RacePairs.Pair pair = RacePairs.inProcess(kind, schedule,
					"keepalive.client.max-idle-time=" + POLICY_MAX_IDLE);
			rows.add(new Row(kind, schedule, POLICY_MAX_IDLE, pair));
			System.out.println(pair.baseline());
			System.out.println(pair.policy());
		}
		CompletableFuture<RacePairs.Pair> jdkWebClient = Background
			.run(() -> RacePairs.jdkInChildJvms(ClientKind.JDK_WEB_CLIENT, jdkSchedule, JDK_POLICY_MAX_IDLE));
		RacePairs.Pair jdkRestClient = RacePairs.jdkInChildJvms(ClientKind.JDK_REST_CLIENT, jdkSchedule,
				JDK_POLICY_MAX_IDLE);
		rows.add(new Row(ClientKind.JDK_REST_CLIENT, jdkSchedule, JDK_POLICY_MAX_IDLE, jdkRestClient));
		rows.add(new Row(ClientKind.JDK_WEB_CLIENT, jdkSchedule, JDK_POLICY_MAX_IDLE, jdkWebClient.join()));
		for (Row row : rows.subList(rows.size() - 2, rows.size())) {
			System.out.println(row.pair.baseline());
			System.out.println(row.pair.policy());
		}
		printTable(rows);
		System.out.println(json(rows, lanes, requestsPerLane, seed));
		System.exit(0);
	}

	private static void printTable(List<Row> rows) {
		System.out.println();
		System.out.println("Stale-connection failures per 1,000 POSTs through a delaying proxy (40 ms each way)");
		String format = "%-32s %-11s %-8s %9s %22s %22s%n";
		System.out.printf(format, "client", "server idle", "max-idle", "requests", "library defaults /1000",
				"with keepalive /1000");
		for (Row row : rows) {
			System.out.printf(format, row.kind, format(row.schedule.serverIdleTimeout()), row.maxIdle,
					row.pair.baseline().requests(), perThousand(row.pair.baseline()), perThousand(row.pair.policy()));
		}
	}

	private static String perThousand(Result result) {
		return String.format(Locale.ROOT, "%.1f (%d)", result.failuresPerThousand(), result.failures());
	}

	private static String json(List<Row> rows, int lanes, int requestsPerLane, long seed) {
		StringBuilder json = new StringBuilder("{\"bench\":\"client-race\",\"proxyDelayMs\":")
			.append(ClientRace.PROXY_DELAY.toMillis())
			.append(",\"lanes\":")
			.append(lanes)
			.append(",\"requestsPerLane\":")
			.append(requestsPerLane)
			.append(",\"seed\":")
			.append(seed)
			.append(",\"results\":[");
		for (int i = 0; i < rows.size(); i++) {
			Row row = rows.get(i);
			json.append((i > 0) ? "," : "")
				.append(String.format(Locale.ROOT,
						"{\"client\":\"%s\",\"api\":\"%s\",\"serverIdleMs\":%d,\"maxIdleTime\":\"%s\",\"requests\":%d,"
								+ "\"baselineFailures\":%d,\"baselinePer1000\":%.1f,"
								+ "\"keepaliveFailures\":%d,\"keepalivePer1000\":%.1f}",
						row.kind.library(), row.kind.api(), row.schedule.serverIdleTimeout().toMillis(), row.maxIdle,
						row.pair.baseline().requests(), row.pair.baseline().failures(),
						row.pair.baseline().failuresPerThousand(), row.pair.policy().failures(),
						row.pair.policy().failuresPerThousand()));
		}
		return json.append("]}").toString();
	}

	private static String format(Duration duration) {
		return duration.toSeconds() + "s";
	}

	private record Row(ClientKind kind, Schedule schedule, String maxIdle, RacePairs.Pair pair) {

	}

}
