import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Slow request bodies: keeps N connections, each sending complete headers of
 * {@code POST /echo} with {@code Content-Length: 100000} and then one body byte a second.
 * A connection that the server answers or closes is recorded (how long it lived from its
 * headers, and the status it got) and opened again, so N stay open as long as the server
 * lets them. Prints a line per second ({@code T <second> open=<n> ended=<n>}) and at the
 * end {@code BODY opened=<n> ended=<n> answered408=<n> answeredOther=<n> openAtEnd=<n>
 * maxAgeMs=<n> lifeP50Ms=<n> lifeP99Ms=<n> lifeMaxMs=<n>}, the lifetimes being those of
 * the connections that ended.
 * <p>
 * Usage: {@code java SlowBodyClient.java HOST PORT CONNECTIONS SECONDS}.
 */
public class SlowBodyClient {

	private static final byte[] HEADERS = ("POST /echo HTTP/1.1\r\nHost: slow\r\nContent-Type: text/plain\r\n"
			+ "Content-Length: 100000\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

	public static void main(String[] args) throws Exception {
		InetSocketAddress address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
		int count = Integer.parseInt(args[2]);
		long end = System.currentTimeMillis() + Long.parseLong(args[3]) * 1000;
		Selector selector = Selector.open();
		List<Slow> all = new ArrayList<>();
		List<Long> lifetimes = new ArrayList<>();
		long opened = 0;
		long answered408 = 0;
		long answeredOther = 0;
		long nextReport = System.currentTimeMillis() + 1000;
		int second = 0;
		ByteBuffer buffer = ByteBuffer.allocate(4096);
		while (System.currentTimeMillis() < end) {
			// keep N open, opening at most 100 per round so as not to flood the accept queue
			for (int i = 0; all.size() < count && i < 100; i++) {
				SocketChannel channel = SocketChannel.open();
				channel.configureBlocking(false);
				Slow slow = new Slow(channel);
				channel.connect(address);
				channel.register(selector, SelectionKey.OP_CONNECT | SelectionKey.OP_READ, slow);
				all.add(slow);
				opened++;
			}
			selector.select(20);
			for (SelectionKey key : selector.selectedKeys()) {
				Slow slow = (Slow) key.attachment();
				try {
					if (key.isConnectable() && slow.channel.finishConnect()) {
						key.interestOps(SelectionKey.OP_READ);
						slow.connectedAt = System.currentTimeMillis();
						slow.channel.write(ByteBuffer.wrap(HEADERS));
						slow.nextByte = slow.connectedAt + ThreadLocalRandom.current().nextLong(0, 1001);
					}
					else if (key.isReadable()) {
						buffer.clear();
						int n = slow.channel.read(buffer);
						if (n < 0) {
							throw new IOException("EOF");
						}
						if (slow.status == 0 && n >= 12) {
							slow.status = Integer.parseInt(new String(buffer.array(), 9, 3, StandardCharsets.US_ASCII));
						}
					}
				}
				catch (IOException | NumberFormatException ex) {
					slow.closed = true;
				}
			}
			selector.selectedKeys().clear();
			long now = System.currentTimeMillis();
			for (Slow slow : all) {
				if (!slow.closed && slow.connectedAt > 0 && now >= slow.nextByte) {
					try {
						slow.channel.write(ByteBuffer.wrap(new byte[] { 'a' }));
						slow.nextByte += 1000;
					}
					catch (IOException ex) {
						slow.closed = true;
					}
				}
			}
			for (int i = all.size() - 1; i >= 0; i--) {
				Slow slow = all.get(i);
				// an answer ends the body too: the server will not read the rest
				if (slow.closed || slow.status != 0) {
					if (slow.connectedAt > 0) {
						lifetimes.add(now - slow.connectedAt);
					}
					if (slow.status == 408) {
						answered408++;
					}
					else if (slow.status != 0) {
						answeredOther++;
					}
					slow.channel.close();
					all.remove(i);
				}
			}
			if (now >= nextReport) {
				System.out.println("T " + (++second) + " open=" + all.size() + " ended=" + lifetimes.size());
				nextReport += 1000;
			}
		}
		long now = System.currentTimeMillis();
		long maxAge = 0;
		for (Slow slow : all) {
			if (slow.connectedAt > 0) {
				maxAge = Math.max(maxAge, now - slow.connectedAt);
			}
		}
		Collections.sort(lifetimes);
		System.out.println("BODY opened=" + opened + " ended=" + lifetimes.size() + " answered408=" + answered408
				+ " answeredOther=" + answeredOther + " openAtEnd=" + all.size() + " maxAgeMs=" + maxAge
				+ " lifeP50Ms=" + percentile(lifetimes, 0.50) + " lifeP99Ms=" + percentile(lifetimes, 0.99)
				+ " lifeMaxMs=" + percentile(lifetimes, 1.0));
		for (Slow slow : all) {
			slow.channel.close();
		}
		System.exit(0);
	}

	private static long percentile(List<Long> sorted, double p) {
		if (sorted.isEmpty()) {
			return -1;
		}
		return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
	}

	static final class Slow {

		final SocketChannel channel;

		long connectedAt;

		long nextByte;

		int status;

		boolean closed;

		Slow(SocketChannel channel) {
			this.channel = channel;
		}

	}

}
