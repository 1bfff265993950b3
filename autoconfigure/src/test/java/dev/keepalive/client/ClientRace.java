package dev.keepalive.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The keep-alive race, reproduced honestly: POSTs (never retried) through a
 * {@link DelayingProxy} (40 ms each way) to a server that closes connections idle for
 * exactly its idle timeout. Most gaps between requests fall within 100 ms of that
 * timeout, where a request that leaves before the client hears the server's FIN reaches
 * the server after it closed: the window is the 80 ms round trip, about 30% of requests.
 * The rest are short gaps (60-160 ms), where connections must still be reused. Lanes run
 * in parallel, each through its own proxy port, so each has its own pooled connection.
 */
final class ClientRace {

	static final Duration PROXY_DELAY = Duration.ofMillis(40);

	private ClientRace() {
	}

	/**
	 * One request as a client sends it.
	 */
	@FunctionalInterface
	interface Post {

		String post(String url, String body) throws Exception;

	}

	record Schedule(Duration serverIdleTimeout, int lanes, int requestsPerLane, long seed) {

		int requests() {
			return this.lanes * this.requestsPerLane;
		}

	}

	record Result(String name, int requests, int failures, int gapsInRaceWindow, int serverConnections,
			Map<String, Integer> failureKinds, Duration elapsed) {

		double failuresPerThousand() {
			return 1000.0 * this.failures / this.requests;
		}

		@Override
		public String toString() {
			StringBuilder text = new StringBuilder(String.format(
					"%s: %d of %d POSTs failed (%.1f per 1,000), %d gaps in the race window, %d server connections, %ds",
					this.name, this.failures, this.requests, failuresPerThousand(), this.gapsInRaceWindow,
					this.serverConnections, this.elapsed.toSeconds()));
			this.failureKinds.forEach((kind, count) -> text.append("\n    ").append(count).append(" x ").append(kind));
			return text.toString();
		}

	}

	static Result run(String name, Schedule schedule, Post client) throws Exception {
		long start = System.nanoTime();
		List<DelayingProxy> proxies = new ArrayList<>();
		ExecutorService lanes = Executors.newFixedThreadPool(schedule.lanes());
		AtomicInteger failures = new AtomicInteger();
		AtomicInteger inWindow = new AtomicInteger();
		Map<String, Integer> kinds = new TreeMap<>();
		try (RawHttpServer server = RawHttpServer.keepAlive(schedule.serverIdleTimeout())) {
			List<Future<?>> done = new ArrayList<>();
			for (int lane = 0; lane < schedule.lanes(); lane++) {
				DelayingProxy proxy = new DelayingProxy(server.port(), PROXY_DELAY);
				proxies.add(proxy);
				Random random = new Random(schedule.seed() * 1000 + lane);
				String url = "http://127.0.0.1:" + proxy.port() + "/race/" + lane;
				done.add(lanes.submit(() -> {
					runLane(schedule, random, client, url, failures, inWindow, kinds);
					return null;
				}));
			}
			for (Future<?> lane : done) {
				lane.get();
			}
			return new Result(name, schedule.requests(), failures.get(), inWindow.get(), server.connections(), kinds,
					Duration.ofNanos(System.nanoTime() - start));
		}
		finally {
			lanes.shutdownNow();
			for (DelayingProxy proxy : proxies) {
				proxy.close();
			}
		}
	}

	private static void runLane(Schedule schedule, Random random, Post client, String url, AtomicInteger failures,
			AtomicInteger inWindow, Map<String, Integer> kinds) throws InterruptedException {
		long idle = schedule.serverIdleTimeout().toMillis();
		long roundTrip = 2 * PROXY_DELAY.toMillis();
		for (int i = 0; i < schedule.requestsPerLane(); i++) {
			if (i > 0) {
				long gap = (random.nextInt(4) != 0) ? idle - 100 + random.nextInt(201) : 60 + random.nextInt(101);
				if (gap > idle - roundTrip && gap < idle) {
					inWindow.incrementAndGet();
				}
				Thread.sleep(gap);
			}
			try {
				client.post(url + "/" + i, "payload " + i);
			}
			catch (Exception ex) {
				failures.incrementAndGet();
				synchronized (kinds) {
					kinds.merge(describe(ex), 1, Integer::sum);
				}
			}
		}
	}

	static String describe(Throwable failure) {
		Throwable root = failure;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String message = String.valueOf(root.getMessage()).replaceAll("@[0-9a-f]+.*", "@...").replaceAll(":\\d+", "");
		if (message.length() > 90) {
			message = message.substring(0, 90) + "...";
		}
		return failure.getClass().getSimpleName() + ((root != failure) ? " <- " + root.getClass().getName() : "") + ": "
				+ message;
	}

}
