import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that talk to the server directly (no proxy), each in a loop: GET /work?ms=0 on
 * its keep-alive connection with a pause of 20 ms between requests, or at once on a new
 * connection when the server closed the last one (as a pool with requests waiting does). Every request ends in one outcome:
 * <ul>
 * <li>{@code ok}: a complete response;</li>
 * <li>{@code refused}: the connection could not be opened, refused or timed out (nothing was
 * sent: any client or proxy can retry it);</li>
 * <li>{@code lost-new}: sent on a connection that had just been opened, then EOF or reset
 * before any response byte;</li>
 * <li>{@code lost-reused}: the same on a reused keep-alive connection (the keep-alive
 * race).</li>
 * </ul>
 * Prints {@code COUNT <n> <outcome>} lines, then {@code LOST <epoch ms> <outcome> <error>}
 * for each lost request (when it was sent).
 * <p>
 * Usage: {@code java DirectClients.java HOST PORT THREADS SECONDS}.
 */
public class DirectClients {

	public static void main(String[] args) throws Exception {
		InetSocketAddress address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
		int threads = Integer.parseInt(args[2]);
		long end = System.currentTimeMillis() + Long.parseLong(args[3]) * 1000;
		byte[] request = "GET /work?ms=0 HTTP/1.1\r\nHost: bench\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
		Map<String, AtomicInteger> counts = new ConcurrentSkipListMap<>();
		for (String outcome : List.of("ok", "refused", "lost-new", "lost-reused")) {
			counts.put(outcome, new AtomicInteger());
		}
		ConcurrentLinkedQueue<String> lost = new ConcurrentLinkedQueue<>();
		List<Thread> all = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			Thread thread = new Thread(() -> {
				Socket socket = null;
				InputStream in = null;
				while (System.currentTimeMillis() < end) {
					boolean reused = socket != null;
					long sentAt = System.currentTimeMillis();
					try {
						if (socket == null) {
							try {
								socket = new Socket();
								socket.connect(address, 2000);
								socket.setSoTimeout(10000);
								in = new BufferedInputStream(socket.getInputStream());
							}
							catch (ConnectException | SocketTimeoutException ex) {
								counts.get("refused").incrementAndGet();
								socket.close();
								socket = null;
								Thread.sleep(5);
								continue;
							}
						}
						sentAt = System.currentTimeMillis();
						OutputStream out = socket.getOutputStream();
						out.write(request);
						out.flush();
						boolean close = readResponse(in);
						counts.get("ok").incrementAndGet();
						if (close) {
							// like a pool with requests waiting: reconnect at once
							socket.close();
							socket = null;
						}
						else {
							Thread.sleep(20);
						}
					}
					catch (IOException ex) {
						String outcome = reused ? "lost-reused" : "lost-new";
						counts.get(outcome).incrementAndGet();
						lost.add(sentAt + " " + outcome + " " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
						try {
							socket.close();
						}
						catch (IOException ignored) {
						}
						socket = null;
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			});
			thread.start();
			all.add(thread);
		}
		for (Thread thread : all) {
			thread.join();
		}
		counts.forEach((outcome, n) -> System.out.println("COUNT " + n + " " + outcome));
		lost.forEach((line) -> System.out.println("LOST " + line));
	}

	/** Reads one Content-Length framed response; returns true if it says Connection: close. */
	private static boolean readResponse(InputStream in) throws IOException {
		StringBuilder head = new StringBuilder();
		int c;
		while ((c = in.read()) >= 0) {
			head.append((char) c);
			if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
				break;
			}
		}
		if (c < 0) {
			throw new EOFException("EOF before a complete response (" + head.length() + " bytes)");
		}
		int length = 0;
		boolean close = false;
		for (String line : head.toString().split("\r\n")) {
			String lower = line.toLowerCase();
			if (lower.startsWith("content-length:")) {
				length = Integer.parseInt(line.substring(15).trim());
			}
			if (lower.equals("connection: close")) {
				close = true;
			}
		}
		if (in.readNBytes(length).length < length) {
			throw new EOFException("EOF in the body");
		}
		return close;
	}

}
