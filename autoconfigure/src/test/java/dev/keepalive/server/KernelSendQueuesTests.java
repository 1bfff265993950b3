package dev.keepalive.server;

import java.net.InetAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

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
			kernel.parse(bytes, bytes.length, new int[] { 8080 },
					(localPort, address, remotePort, unacknowledged) -> read.add(localPort + " "
							+ HexFormat.of().formatHex(address) + " " + remotePort + " " + unacknowledged));
		}
		// IPv4 in either table is handed over mapped to IPv6, as mapped() gives an IPv4
		// client's address
		String ipv4 = HexFormat.of().formatHex(KernelSendQueues.mapped(InetAddress.getByName("127.0.0.1")));
		assertThat(ipv4).isEqualTo("00000000000000000000ffff7f000001");
		assertThat(read).containsExactly("8080 " + ipv4 + " 50000 128000", "8080 " + ipv4 + " 50001 16",
				"8080 00000000000000000000000000000001 50002 0");
	}

}
