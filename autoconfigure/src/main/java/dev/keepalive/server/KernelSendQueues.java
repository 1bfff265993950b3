package dev.keepalive.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What Linux knows of a server's sent bytes that the JVM does not: for each TCP
 * connection, the bytes sent or queued but not yet acknowledged by the client's kernel
 * (the {@code tx_queue} column of {@code /proc/net/tcp} and {@code /proc/net/tcp6}). A
 * client that does not read stops acknowledging once its receive buffer is full, so the
 * fall of this figure is how fast the client reads, seen within a segment; the JVM sees
 * it only when a waiting write goes on, once half of a send buffer of several megabytes
 * is free.
 * <p>
 * The tables are read into one reused buffer and parsed in place: a read allocates
 * nothing once the buffer has grown to the tables' size.
 */
final class KernelSendQueues {

	private static final Path IPV4 = Path.of("/proc/net/tcp");

	private static final Path IPV6 = Path.of("/proc/net/tcp6");

	private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

	private final Path ipv4;

	private final Path ipv6;

	private byte[] buffer = new byte[64 * 1024];

	private final byte[] address = new byte[16];

	/**
	 * Whether this system has the tables: Linux only.
	 * @return whether it does
	 */
	KernelSendQueues() {
		this(IPV4, IPV6);
	}

	KernelSendQueues(Path ipv4, Path ipv6) {
		this.ipv4 = ipv4;
		this.ipv6 = ipv6;
	}

	static boolean isAvailable() {
		return Files.isReadable(IPV4) || Files.isReadable(IPV6);
	}

	/**
	 * The address of a socket end as this class hands it over: 16 bytes, IPv4 addresses
	 * mapped to IPv6 ({@code ::ffff:a.b.c.d}) as in the tcp6 table of a dual-stack
	 * socket.
	 * @param address the address
	 * @return its 16 bytes
	 */
	static byte[] mapped(InetAddress address) {
		byte[] bytes = address.getAddress();
		if (!(address instanceof Inet4Address)) {
			return bytes;
		}
		byte[] mapped = new byte[16];
		mapped[10] = (byte) 0xff;
		mapped[11] = (byte) 0xff;
		System.arraycopy(bytes, 0, mapped, 12, 4);
		return mapped;
	}

	/**
	 * Read one table, handing every connection on {@code localPort} to {@code sink}. Each
	 * table costs a walk of all the host's sockets: IPv6 sockets (Java's default, IPv4
	 * clients included) are in one, IPv4-only sockets in the other.
	 * @param ipv6 whether to read the table of IPv6 sockets
	 * @param localPort the server's port
	 * @param sink what receives the connections
	 * @throws IOException if the table cannot be read
	 */
	void read(boolean ipv6, int localPort, Sink sink) throws IOException {
		Path table = ipv6 ? this.ipv6 : this.ipv4;
		if (Files.isReadable(table)) {
			// load first: it may grow the buffer
			int length = load(table);
			parse(this.buffer, length, localPort, sink);
		}
	}

	private int load(Path table) throws IOException {
		try (InputStream in = Files.newInputStream(table)) {
			int length = 0;
			int read;
			while ((read = in.read(this.buffer, length, this.buffer.length - length)) >= 0) {
				length += read;
				if (length == this.buffer.length) {
					this.buffer = Arrays.copyOf(this.buffer, this.buffer.length * 2);
				}
			}
			return length;
		}
	}

	/**
	 * Lines such as {@code "   0: 0100007F:1F90 0100007F:C350 01 00000000:00000000 ..."}:
	 * slot, local address:port, remote address:port, state, tx_queue:rx_queue, all in
	 * hex, addresses as 32-bit words in host byte order.
	 */
	void parse(byte[] bytes, int length, int localPort, Sink sink) {
		int line = skipLine(bytes, 0, length);
		while (line < length) {
			int local = skipField(bytes, line, length);
			int remote = skipField(bytes, local, length);
			int state = skipField(bytes, remote, length);
			int queues = skipField(bytes, state, length);
			int addressDigits = state - remote - 6;
			if (queues + 8 <= length && (addressDigits == 8 || addressDigits == 32)) {
				if (port(bytes, local, remote) == localPort) {
					readAddress(bytes, remote, addressDigits);
					sink.connection(this.address, port(bytes, remote, state), hex(bytes, queues, 8));
				}
			}
			line = skipLine(bytes, line, length);
		}
	}

	/** The start of the next field: past this one and the spaces after it. */
	private static int skipField(byte[] bytes, int from, int length) {
		int i = from;
		while (i < length && bytes[i] == ' ') {
			i++;
		}
		while (i < length && bytes[i] != ' ' && bytes[i] != '\n') {
			i++;
		}
		while (i < length && bytes[i] == ' ') {
			i++;
		}
		return i;
	}

	private static int skipLine(byte[] bytes, int from, int length) {
		int i = from;
		while (i < length && bytes[i] != '\n') {
			i++;
		}
		return i + 1;
	}

	/** The port of an {@code address:port} field: the 4 digits before its end. */
	private static int port(byte[] bytes, int field, int next) {
		int end = next;
		while (end > field && bytes[end - 1] == ' ') {
			end--;
		}
		return (int) hex(bytes, end - 4, 4);
	}

	/** An address of 8 hex digits (IPv4) or 32 (IPv6), into {@link #address}, mapped. */
	private void readAddress(byte[] bytes, int field, int digits) {
		Arrays.fill(this.address, (byte) 0);
		int words = digits / 8;
		int offset = 16 - words * 4;
		if (words == 1) {
			this.address[10] = (byte) 0xff;
			this.address[11] = (byte) 0xff;
		}
		for (int w = 0; w < words; w++) {
			long word = hex(bytes, field + w * 8, 8);
			for (int b = 0; b < 4; b++) {
				int shift = LITTLE_ENDIAN ? b * 8 : (3 - b) * 8;
				this.address[offset + w * 4 + b] = (byte) (word >>> shift);
			}
		}
	}

	private static long hex(byte[] bytes, int from, int digits) {
		long value = 0;
		for (int i = from; i < from + digits; i++) {
			value = (value << 4) | Character.digit(bytes[i], 16);
		}
		return value;
	}

	/**
	 * Receives the connections read.
	 */
	interface Sink {

		/**
		 * One connection.
		 * @param remoteAddress the client's address, 16 bytes as {@link #mapped}; valid
		 * only during the call
		 * @param remotePort the client's port
		 * @param unacknowledged the bytes sent or queued and not yet acknowledged
		 */
		void connection(byte[] remoteAddress, int remotePort, long unacknowledged);

	}

}
