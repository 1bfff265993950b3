package dev.keepalive.server;

import java.net.InetAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * {@link KernelSendQueues} reads the {@code tx_queue} of the server's connections from
 * Linux's {@code /proc/net/tcp} and {@code /proc/net/tcp6} formats (as printed on a
 * little-endian machine), whatever the address family.
 */
class KernelSendQueuesTests {

	private static final String TCP = """
			  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
			   0: 0100007F:1F90 0100007F:C350 01 0001F400:00000000 00:00000000 00000000  1000        0 12345 1 0000000000000000 20 4 30 10 -1
			   1: 0100007F:0050 0100007F:C350 01 00000007:00000000 00:00000000 00000000  1000        0 12346 1 0000000000000000 20 4 30 10 -1
			""";

	private static final String TCP6 = """
			  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
			   0: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:C351 01 00000010:00000000 00:00000000 00000000  1000        0 2 1 0000000000000000 20 4 30 10 -1
			   1: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:C352 08 00000000:00000000 00:00000000 00000000  1000        0 3 1 0000000000000000 20 4 30 10 -1
			""";

	@Test
	void readsTheUnacknowledgedBytesOfEachConnectionOnTheServersPorts() throws Exception {
		assumeThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
		List<String> read = new ArrayList<>();
		KernelSendQueues kernel = new KernelSendQueues();
		for (String table : List.of(TCP, TCP6)) {
			byte[] bytes = table.getBytes(StandardCharsets.US_ASCII);
			kernel.parse(bytes, bytes.length, 8080, (address, remotePort, unacknowledged) -> read
				.add(HexFormat.of().formatHex(address) + " " + remotePort + " " + unacknowledged));
		}
		// IPv4 in either table is handed over mapped to IPv6, as mapped() gives an IPv4
		// client's address
		String ipv4 = HexFormat.of().formatHex(KernelSendQueues.mapped(InetAddress.getByName("127.0.0.1")));
		assertThat(ipv4).isEqualTo("00000000000000000000ffff7f000001");
		assertThat(read).containsExactly(ipv4 + " 50000 128000", ipv4 + " 50001 16",
				"00000000000000000000000000000001 50002 0");
	}

	@Test
	void readsATableLargerThanItsFirstBuffer(@TempDir Path directory) throws Exception {
		assumeThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
		StringBuilder table = new StringBuilder(TCP6.lines().findFirst().orElseThrow()).append('\n');
		for (int port = 1; port <= 2000; port++) {
			table.append(String.format(
					"%4d: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:%04X 01 %08X:00000000 00:00000000 00000000  1000        0 2 1 0000000000000000 20 4 30 10 -1%n",
					port, port, port));
		}
		Path tcp6 = Files.writeString(directory.resolve("tcp6"), table);
		List<Long> read = new ArrayList<>();
		new KernelSendQueues(directory.resolve("tcp"), tcp6).read(true, 8080,
				(address, remotePort, unacknowledged) -> read.add(unacknowledged));
		assertThat(Files.size(tcp6)).isGreaterThan(128 * 1024);
		assertThat(read).hasSize(2000).endsWith(2000L);
	}

}
