import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * How finely a JVM server sees its client accept a response. The server writes 8 kB at
 * a time on a non-blocking channel and, when the kernel takes nothing, waits for the
 * selector to report the socket writable, as Tomcat's blocking writes and Jetty's writes
 * do; the client reads at a steady rate. Prints every wait of 100 ms or more with the
 * bytes the client took meanwhile, and the socket's send buffer. Linux reports a socket
 * writable only once much of its send buffer is free, so a client reading steadily is
 * seen to take nothing for long stretches, then a lot at once.
 * <p>
 * Usage: {@code java bench/java/WriteGranularity.java [CLIENT_KB_PER_SECOND [MB]]}
 * (defaults 1024 and 20).
 */
public class WriteGranularity {

	public static void main(String[] args) throws Exception {
		int clientKbPerSecond = (args.length > 0) ? Integer.parseInt(args[0]) : 1024;
		long total = ((args.length > 1) ? Long.parseLong(args[1]) : 20) * 1024 * 1024;
		ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
		int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
		Thread client = new Thread(() -> readSteadily(port, clientKbPerSecond, total));
		client.start();
		SocketChannel channel = server.accept();
		channel.configureBlocking(false);
		Selector selector = Selector.open();
		SelectionKey key = channel.register(selector, 0);
		ByteBuffer buffer = ByteBuffer.allocate(8192);
		long written = 0;
		long writtenAtLastWake = 0;
		long start = System.nanoTime();
		long longest = 0;
		System.out.printf("client reads %d kB/s; waits of the server's writes of 100 ms or more:%n", clientKbPerSecond);
		while (written < total) {
			buffer.clear();
			long writeStart = System.nanoTime();
			while (buffer.hasRemaining()) {
				int n = channel.write(buffer);
				written += n;
				if (n == 0) {
					key.interestOps(SelectionKey.OP_WRITE);
					selector.select();
					selector.selectedKeys().clear();
					key.interestOps(0);
				}
			}
			long waitedMs = (System.nanoTime() - writeStart) / 1_000_000;
			longest = Math.max(longest, waitedMs);
			if (waitedMs >= 100) {
				System.out.printf("  at %5.1f s: waited %5d ms; the client took %6d kB since the previous wait; SO_SNDBUF %d kB%n",
						(System.nanoTime() - start) / 1e9, waitedMs, (written - writtenAtLastWake) / 1024,
						channel.getOption(StandardSocketOptions.SO_SNDBUF) / 1024);
				writtenAtLastWake = written;
			}
		}
		System.out.printf("GRANULARITY clientKbPerSecond=%d longestWaitMs=%d sndbufKb=%d%n", clientKbPerSecond, longest,
				channel.getOption(StandardSocketOptions.SO_SNDBUF) / 1024);
		channel.close();
		client.join();
	}

	private static void readSteadily(int port, int kbPerSecond, long total) {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[16384];
			long read = 0;
			long start = System.nanoTime();
			while (read < total) {
				int n = in.read(buffer);
				if (n < 0) {
					break;
				}
				read += n;
				// no faster than the rate: sleep until this many bytes are due
				long dueNanos = read * 1_000_000_000L / (kbPerSecond * 1024L);
				long aheadMs = (dueNanos - (System.nanoTime() - start)) / 1_000_000;
				if (aheadMs > 0) {
					Thread.sleep(aheadMs);
				}
			}
		}
		catch (Exception ex) {
			ex.printStackTrace();
		}
	}

}
