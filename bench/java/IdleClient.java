import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * Holds N idle keep-alive connections: each connection sends one GET, reads its response,
 * then stays idle. Prints (one line each, to stdout):
 *
 * <pre>
 * READY &lt;connections with a response&gt; &lt;ms to open them all&gt;
 * FIRST_CLOSED &lt;epoch ms&gt;
 * ALL_CLOSED &lt;epoch ms&gt; eof=&lt;n&gt; reset=&lt;n&gt;
 * TIMEOUT open=&lt;n&gt;   (if not all were closed by the server within the deadline)
 * </pre>
 *
 * Usage: {@code java IdleClient.java HOST PORT COUNT SECONDS [PATH]}. Exits once every
 * connection is closed by the server or after SECONDS.
 */
public class IdleClient {

	private static final int MAX_PENDING = 200;

	public static void main(String[] args) throws Exception {
		String host = args[0];
		int port = Integer.parseInt(args[1]);
		int count = Integer.parseInt(args[2]);
		long deadline = System.currentTimeMillis() + Long.parseLong(args[3]) * 1000;
		String path = (args.length > 4) ? args[4] : "/work?ms=0";
		byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
		InetSocketAddress address = new InetSocketAddress(host, port);
		Selector selector = Selector.open();
		ByteBuffer buffer = ByteBuffer.allocate(8192);
		long start = System.currentTimeMillis();
		int opened = 0;
		int answered = 0;
		int pending = 0;
		int eof = 0;
		int reset = 0;
		long firstClosed = 0;
		boolean ready = false;
		while (System.currentTimeMillis() < deadline) {
			while (opened < count && pending < MAX_PENDING) {
				SocketChannel channel = SocketChannel.open();
				channel.configureBlocking(false);
				channel.setOption(StandardSocketOptions.SO_LINGER, -1);
				Conn conn = new Conn(request);
				if (channel.connect(address)) {
					channel.register(selector, SelectionKey.OP_WRITE, conn);
				}
				else {
					channel.register(selector, SelectionKey.OP_CONNECT, conn);
				}
				opened++;
				pending++;
			}
			if (!ready && answered + eof + reset >= count) {
				ready = true;
				System.out.println("READY " + answered + " " + (System.currentTimeMillis() - start));
			}
			if (ready && answered == 0) {
				break;
			}
			selector.select(100);
			Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
			while (keys.hasNext()) {
				SelectionKey key = keys.next();
				keys.remove();
				SocketChannel channel = (SocketChannel) key.channel();
				Conn conn = (Conn) key.attachment();
				try {
					if (key.isConnectable()) {
						channel.finishConnect();
						key.interestOps(SelectionKey.OP_WRITE);
					}
					else if (key.isWritable()) {
						channel.write(conn.request);
						if (!conn.request.hasRemaining()) {
							key.interestOps(SelectionKey.OP_READ);
						}
					}
					else if (key.isReadable()) {
						buffer.clear();
						int n = channel.read(buffer);
						if (n < 0) {
							throw new EofException();
						}
						if (!conn.answered && conn.consume(buffer.array(), n)) {
							conn.answered = true;
							answered++;
							pending--;
						}
					}
				}
				catch (IOException ex) {
					key.cancel();
					channel.close();
					if (conn.answered) {
						answered--;
					}
					else {
						pending--;
					}
					if (ex instanceof EofException) {
						eof++;
					}
					else {
						reset++;
					}
					if (ready && firstClosed == 0) {
						firstClosed = System.currentTimeMillis();
						System.out.println("FIRST_CLOSED " + firstClosed);
					}
				}
			}
		}
		if (ready && answered == 0) {
			System.out.println("ALL_CLOSED " + System.currentTimeMillis() + " eof=" + eof + " reset=" + reset);
		}
		else {
			System.out.println("TIMEOUT open=" + (answered + pending) + " eof=" + eof + " reset=" + reset);
		}
		System.out.flush();
		System.exit(0);
	}

	static final class EofException extends IOException {

	}

	static final class Conn {

		final ByteBuffer request;

		boolean answered;

		private final StringBuilder head = new StringBuilder();

		private int bodyLeft = -1;

		Conn(byte[] request) {
			this.request = ByteBuffer.wrap(request);
		}

		/** Returns true once the whole response (Content-Length framed) has been read. */
		boolean consume(byte[] bytes, int n) {
			int i = 0;
			if (this.bodyLeft < 0) {
				for (; i < n && this.bodyLeft < 0; i++) {
					this.head.append((char) bytes[i]);
					if (this.head.length() >= 4 && this.head.lastIndexOf("\r\n\r\n") == this.head.length() - 4) {
						this.bodyLeft = contentLength(this.head.toString());
					}
				}
				if (this.bodyLeft < 0) {
					return false;
				}
			}
			this.bodyLeft -= (n - i);
			return this.bodyLeft <= 0;
		}

		private static int contentLength(String head) {
			for (String line : head.split("\r\n")) {
				if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
					return Integer.parseInt(line.substring(15).trim());
				}
			}
			return 0;
		}

	}

}
