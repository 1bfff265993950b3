import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What one read of Linux's TCP tables costs, the read the minimum response rate makes
 * (issue 16, part 2): opens N loopback connections (2N sockets: both ends are on this
 * host), then reads {@code /proc/net/tcp6} and {@code /proc/net/tcp} 20 times each and
 * prints the mean wall time per read and the size of the table. Both tables walk every
 * socket of the host. Needs a limit of open files above 2N.
 * <p>
 * Usage: {@code java bench/java/ProcTcpCost.java N}.
 */
public class ProcTcpCost {

	public static void main(String[] args) throws Exception {
		int count = Integer.parseInt(args[0]);
		List<SocketChannel> open = new ArrayList<>();
		try (ServerSocketChannel server = ServerSocketChannel.open()) {
			server.bind(new InetSocketAddress("127.0.0.1", 0), count);
			for (int i = 0; i < count; i++) {
				open.add(SocketChannel.open(server.getLocalAddress()));
				open.add(server.accept());
			}
			for (String table : List.of("/proc/net/tcp6", "/proc/net/tcp")) {
				long bytes = 0;
				long start = System.nanoTime();
				for (int i = 0; i < 20; i++) {
					bytes = Files.readAllBytes(Path.of(table)).length;
				}
				System.out.printf("%d connections (%d sockets): %s %.1f ms per read, %d bytes%n", count, 2 * count,
						table, (System.nanoTime() - start) / 20 / 1e6, bytes);
			}
		}
		finally {
			for (SocketChannel channel : open) {
				channel.close();
			}
		}
	}

}
