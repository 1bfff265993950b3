import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * New clients, each request on a new connection ({@code Connection: close}): THREADS
 * loops of connect, GET /work?ms=0, read to the end, pause 10 ms. The latency counts from
 * the connect to the end of the response, so a server that cannot accept shows as waiting
 * (wrk starts its clock only once connected). A request that takes longer than 5 s in
 * all is a timeout. Prints one summary line:
 *
 * <pre>
 * NEW requests=&lt;n&gt; ok=&lt;n&gt; failed=&lt;n&gt; timeouts=&lt;n&gt; p50Ms=&lt;x&gt; p99Ms=&lt;x&gt; maxMs=&lt;x&gt;
 * </pre>
 *
 * The percentiles are over the successful requests. Usage:
 * {@code java NewClients.java HOST PORT THREADS SECONDS}.
 */
public class NewClients {

	private static final int TIMEOUT_MS = 5000;

	public static void main(String[] args) throws Exception {
		InetSocketAddress address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
		int threads = Integer.parseInt(args[2]);
		long end = System.currentTimeMillis() + Long.parseLong(args[3]) * 1000;
		byte[] request = ("GET /work?ms=0 HTTP/1.1\r\nHost: " + args[0] + "\r\nConnection: close\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII);
		List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
		AtomicLong failed = new AtomicLong();
		AtomicLong timeouts = new AtomicLong();
		List<Thread> workers = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			Thread worker = new Thread(() -> {
				byte[] buffer = new byte[4096];
				while (System.currentTimeMillis() < end) {
					long start = System.nanoTime();
					try (Socket socket = new Socket()) {
						socket.connect(address, TIMEOUT_MS);
						socket.setSoTimeout(Math.max(1, TIMEOUT_MS - (int) ((System.nanoTime() - start) / 1_000_000)));
						socket.getOutputStream().write(request);
						InputStream in = socket.getInputStream();
						int total = 0;
						int read;
						while ((read = in.read(buffer)) >= 0) {
							total += read;
						}
						if (total > 0 && new String(buffer, 0, Math.min(12, total), StandardCharsets.US_ASCII)
							.startsWith("HTTP/1.1 200")) {
							latencies.add(System.nanoTime() - start);
						}
						else {
							failed.incrementAndGet();
						}
					}
					catch (SocketTimeoutException ex) {
						timeouts.incrementAndGet();
					}
					catch (IOException ex) {
						failed.incrementAndGet();
					}
					try {
						Thread.sleep(10);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			});
			worker.start();
			workers.add(worker);
		}
		for (Thread worker : workers) {
			worker.join();
		}
		List<Long> sorted = new ArrayList<>(latencies);
		Collections.sort(sorted);
		long ok = sorted.size();
		System.out.printf("NEW requests=%d ok=%d failed=%d timeouts=%d p50Ms=%.2f p99Ms=%.2f maxMs=%.2f%n",
				ok + failed.get() + timeouts.get(), ok, failed.get(), timeouts.get(), percentile(sorted, 0.50),
				percentile(sorted, 0.99), percentile(sorted, 1.0));
	}

	private static double percentile(List<Long> sorted, double p) {
		if (sorted.isEmpty()) {
			return -1;
		}
		int index = (int) Math.ceil(p * sorted.size()) - 1;
		return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1e6;
	}

}
