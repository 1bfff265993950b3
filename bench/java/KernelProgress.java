import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Linux can tell a server about its client's reading, for issue 16's minimum response
 * rate: a server writes to a client that reads RATE bytes a second (0: never), on
 * loopback, trying a non-blocking write every 0.5 s, and prints twice a second how much
 * it has written and how much of that the client has acknowledged, read from the kernel's
 * {@code /proc/net/tcp6} (written minus {@code tx_queue}, the bytes sent or queued but not
 * acknowledged). Linux only; Java's sockets on loopback are IPv6 sockets with IPv4-mapped
 * addresses.
 * <p>
 * Usage: {@code java bench/java/KernelProgress.java RATE}.
 */
public class KernelProgress {

	public static void main(String[] args) throws Exception {
		int rate = Integer.parseInt(args[0]);
		ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
		int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
		Socket client = new Socket("127.0.0.1", port);
		SocketChannel accepted = server.accept();
		accepted.configureBlocking(false);
		if (rate > 0) {
			Thread reader = new Thread(() -> read(client, rate));
			reader.setDaemon(true);
			reader.start();
		}
		ByteBuffer data = ByteBuffer.allocate(64 * 1024);
		long written = 0;
		long start = System.currentTimeMillis();
		for (int i = 0; i < 40; i++) {
			int n;
			while ((n = accepted.write(data.clear())) > 0) {
				written += n;
			}
			long unacknowledged = txQueue(port, client.getLocalPort());
			System.out.printf("t=%.1fs written=%d acknowledged=%d%n", (System.currentTimeMillis() - start) / 1000.0,
					written, written - unacknowledged);
			Thread.sleep(500);
		}
	}

	private static void read(Socket client, int rate) {
		try {
			InputStream in = client.getInputStream();
			byte[] buffer = new byte[rate / 10];
			while (in.readNBytes(buffer, 0, buffer.length) > 0) {
				Thread.sleep(100);
			}
		}
		catch (Exception ex) {
			// the run is over
		}
	}

	/** The tx_queue of the connection from local port {@code port} to {@code peerPort}. */
	private static long txQueue(int port, int peerPort) throws Exception {
		String local = String.format(":%04X ", port);
		String remote = String.format(":%04X ", peerPort);
		for (String line : Files.readAllLines(Path.of("/proc/net/tcp6"))) {
			String[] fields = line.trim().split("\\s+");
			if (fields.length > 4 && (fields[1] + " ").endsWith(local) && (fields[2] + " ").endsWith(remote)) {
				return Long.parseLong(fields[4].split(":")[0], 16);
			}
		}
		throw new IllegalStateException("connection not found in /proc/net/tcp6");
	}

}
