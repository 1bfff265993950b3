package dev.keepalive.client;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import dev.keepalive.client.ClientRace.Result;
import dev.keepalive.client.ClientRace.Schedule;
import dev.keepalive.testsupport.Background;
import dev.keepalive.testsupport.ChildJvm;

/**
 * Runs the same race schedule at the same time through a client with the library's
 * defaults ({@code keepalive.client.enabled=false}) and one with the starter's policy.
 * The JDK client's only setting is process-wide and read once, so its two runs are two
 * child JVMs.
 */
final class RacePairs {

	static final String RESULT_PREFIX = "RACE-RESULT ";

	static final String KIND_PREFIX = "RACE-FAILURE ";

	private RacePairs() {
	}

	/**
	 * The baseline and the policy run of one pair.
	 *
	 * @param baseline the run with the library's defaults
	 * @param policy the run with the starter's policy
	 * @param policyOutput what the policy run logged, when it ran in a child JVM
	 */
	record Pair(Result baseline, Result policy, String policyOutput) {

	}

	static Pair inProcess(ClientKind kind, Schedule schedule, String... policyProperties) {
		return inProcess(List.of(kind), schedule, policyProperties).get(kind);
	}

	/**
	 * Runs the pairs of several kinds at the same time. All applications are closed only
	 * when every run is over: closing one can stop resources the others share (Reactor
	 * Netty's global event loops).
	 */
	static Map<ClientKind, Pair> inProcess(List<ClientKind> kinds, Schedule schedule, String... policyProperties) {
		List<ClientApp> apps = new ArrayList<>();
		try {
			Map<ClientKind, List<CompletableFuture<Result>>> runs = new LinkedHashMap<>();
			for (ClientKind kind : kinds) {
				ClientApp baseline = ClientApp.start(kind, "keepalive.client.enabled=false");
				apps.add(baseline);
				ClientApp policy = ClientApp.start(kind, policyProperties);
				apps.add(policy);
				runs.put(kind, List.of(Background.run(() -> race(kind + " baseline", schedule, baseline)),
						Background.run(() -> race(kind + " keepalive", schedule, policy))));
			}
			Map<ClientKind, Pair> pairs = new LinkedHashMap<>();
			runs.forEach(
					(kind, results) -> pairs.put(kind, new Pair(results.get(0).join(), results.get(1).join(), "")));
			return pairs;
		}
		finally {
			apps.forEach(ClientApp::close);
		}
	}

	private static Result race(String name, Schedule schedule, ClientApp app) {
		try {
			return ClientRace.run(name, schedule, app::post);
		}
		catch (Exception ex) {
			throw new CompletionException(ex);
		}
	}

	static Pair jdkInChildJvms(ClientKind kind, Schedule schedule, String policyMaxIdleTime) {
		CompletableFuture<String> baseline = Background
			.run(() -> runChild(kind, schedule, "baseline", "keepalive.client.enabled=false"));
		String policy = runChild(kind, schedule, "keepalive", "keepalive.client.max-idle-time=" + policyMaxIdleTime);
		return new Pair(parse(baseline.join()), parse(policy), policy);
	}

	private static String runChild(ClientKind kind, Schedule schedule, String name, String property) {
		long timeoutSeconds = 60 + schedule.requestsPerLane() * (schedule.serverIdleTimeout().toSeconds() + 2);
		try (ChildJvm child = ChildJvm.start(List.of("-Xmx512m"), JdkClientRaceChild.class, name, property,
				Long.toString(schedule.serverIdleTimeout().toMillis()), Integer.toString(schedule.lanes()),
				Integer.toString(schedule.requestsPerLane()), Long.toString(schedule.seed()), kind.name())) {
			if (!child.awaitExit(Duration.ofSeconds(timeoutSeconds))) {
				throw new IllegalStateException(
						"JDK race child '" + name + "' did not finish in " + timeoutSeconds + "s:\n" + child.output());
			}
			return child.output();
		}
		catch (IOException ex) {
			throw new CompletionException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CompletionException(ex);
		}
	}

	private static Result parse(String output) {
		Map<String, Integer> kinds = new LinkedHashMap<>();
		List<String> results = new ArrayList<>();
		for (String line : output.split("\n")) {
			if (line.startsWith(RESULT_PREFIX)) {
				results.add(line.substring(RESULT_PREFIX.length()));
			}
			else if (line.startsWith(KIND_PREFIX)) {
				String[] parts = line.substring(KIND_PREFIX.length()).split("\\|", 2);
				kinds.put(parts[1], Integer.parseInt(parts[0]));
			}
		}
		if (results.size() != 1) {
			throw new IllegalStateException("No result from the JDK race child:\n" + output);
		}
		String[] fields = results.get(0).split("\\|");
		return new Result(fields[0], Integer.parseInt(fields[1]), Integer.parseInt(fields[2]),
				Integer.parseInt(fields[3]), Integer.parseInt(fields[4]), kinds,
				Duration.ofMillis(Long.parseLong(fields[5])));
	}

	static void print(Result result) {
		System.out.println(RESULT_PREFIX + String.join("|", result.name(), Integer.toString(result.requests()),
				Integer.toString(result.failures()), Integer.toString(result.gapsInRaceWindow()),
				Integer.toString(result.serverConnections()), Long.toString(result.elapsed().toMillis())));
		result.failureKinds().forEach((kind, count) -> System.out.println(KIND_PREFIX + count + "|" + kind));
	}

}
