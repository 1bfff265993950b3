import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Clients that never read their response: opens N connections (receive buffer 64 kB, as
 * an attacker who wants to cost the server more than himself would), sends each a GET
 * for PATH, and never reads a byte. Every 100 ms it asks the kernel
 * ({@code /proc/net/tcp} and {@code /proc/net/tcp6}) which of them are still established:
 * one the server has reset is gone from the table, one it has closed is no longer
 * ESTABLISHED, which the client sees without reading. Prints {@code T <second> open=<n>}
 * each second and at the end {@code NEVER opened=<n> closed=<n> openAtEnd=<n>
 * lifeP50Ms=<n> lifeP99Ms=<n> lifeMaxMs=<n> withinMs=<n> closedWithin=<n>}: lifetimes from
 * the request to the close, over the connections closed, and how many closed within
 * WITHIN_MS of their request.
 * <p>
 * Linux only. Usage: {@code java NeverReaders.java HOST PORT CONNECTIONS SECONDS PATH WITHIN_MS}.
 */
public class NeverReaders {

	private static final int ESTABLISHED = 0x01;

	public static void main(String[] args) throws Exception {
		InetSocketAddress address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
		int count = Integer.parseInt(args[2]);
		long seconds = Long.parseLong(args[3]);
		byte[] request = ("GET " + args[4] + " HTTP/1.1\r\nHost: never\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
		long within = Long.parseLong(args[5]);
		List<Socket> sockets = new ArrayList<>();
		long[] sentNanos = new long[count];
		long[] closedNanos = new long[count];
		for (int i = 0; i < count; i++) {
			Socket socket = new Socket();
			socket.setReceiveBufferSize(64 * 1024);
			socket.connect(address, 10_000);
			socket.getOutputStream().write(request);
			sentNanos[i] = System.nanoTime();
			sockets.add(socket);
		}
		long start = System.nanoTime();
		long end = start + seconds * 1_000_000_000L;
		long nextReport = start + 1_000_000_000L;
		int open = count;
		while (System.nanoTime() < end) {
			Set<Integer> established = establishedLocalPorts(address.getPort());
			long now = System.nanoTime();
			open = 0;
			for (int i = 0; i < count; i++) {
				if (closedNanos[i] == 0 && !established.contains(sockets.get(i).getLocalPort())) {
					closedNanos[i] = now;
				}
				open += (closedNanos[i] == 0) ? 1 : 0;
			}
			if (now >= nextReport) {
				System.out.println("T " + (now - start) / 1_000_000_000L + " open=" + open);
				nextReport += 1_000_000_000L;
			}
			Thread.sleep(100);
		}
		List<Long> lifetimes = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			if (closedNanos[i] != 0) {
				lifetimes.add((closedNanos[i] - sentNanos[i]) / 1_000_000);
			}
		}
		lifetimes.sort(null);
		long closedWithin = lifetimes.stream().filter((life) -> life <= within).count();
		System.out.println("NEVER opened=" + count + " closed=" + lifetimes.size() + " openAtEnd=" + open
				+ " lifeP50Ms=" + percentile(lifetimes, 0.50) + " lifeP99Ms=" + percentile(lifetimes, 0.99)
				+ " lifeMaxMs=" + percentile(lifetimes, 1.0) + " withinMs=" + within + " closedWithin="
				+ closedWithin);
		for (Socket socket : sockets) {
			socket.close();
		}
	}

	/** The local ports of this machine's established connections to {@code serverPort}. */
	private static Set<Integer> establishedLocalPorts(int serverPort) throws IOException {
		Set<Integer> ports = new HashSet<>();
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			for (String line : Files.readAllLines(Path.of(table))) {
				String[] fields = line.trim().split("\\s+");
				if (fields.length < 4 || !fields[1].contains(":") || fields[0].equals("sl")) {
					continue;
				}
				if (port(fields[2]) == serverPort && Integer.parseInt(fields[3], 16) == ESTABLISHED) {
					ports.add(port(fields[1]));
				}
			}
		}
		return ports;
	}

	private static int port(String addressAndPort) {
		return Integer.parseInt(addressAndPort.substring(addressAndPort.lastIndexOf(':') + 1), 16);
	}

	private static long percentile(List<Long> sorted, double p) {
		if (sorted.isEmpty()) {
			return -1;
		}
		return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
	}

}
