import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Floods a server with idle keep-alive connections: keeps up to TARGET connections, each
 * of which sends one GET, reads its response and then stays idle; a connection the server
 * closes is opened again at once. At most 200 connects are pending at a time, each given
 * up after 10 s. Prints (to stdout) one line a second and a summary:
 *
 * <pre>
 * SEC &lt;second&gt; held=&lt;idle after their response&gt; pending=&lt;n&gt; closedByServer=&lt;total&gt;
 * FLOOD maxHeld=&lt;n&gt; opened=&lt;n&gt; answered=&lt;n&gt; closedByServer=&lt;n&gt; connectTimeouts=&lt;n&gt; errors=&lt;n&gt;
 * </pre>
 *
 * Usage: {@code java IdleFlood.java HOST PORT TARGET SECONDS}.
 */
public class IdleFlood {

	private static final int MAX_PENDING = 200;

	private static final long CONNECT_TIMEOUT_MS = 10_000;

	public static void main(String[] args) throws Exception {
		String host = args[0];
		int port = Integer.parseInt(args[1]);
		int target = Integer.parseInt(args[2]);
		long start = System.currentTimeMillis();
		long end = start + Long.parseLong(args[3]) * 1000;
		byte[] request = ("GET /work?ms=0 HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
		InetSocketAddress address = new InetSocketAddress(host, port);
		Selector selector = Selector.open();
		ByteBuffer buffer = ByteBuffer.allocate(8192);
		Map<SelectionKey, Long> pending = new HashMap<>();
		int held = 0;
		int maxHeld = 0;
		long opened = 0;
		long answered = 0;
		long closedByServer = 0;
		long connectTimeouts = 0;
		long errors = 0;
		long nextReport = start + 1000;
		while (System.currentTimeMillis() < end) {
			while (held + pending.size() < target && pending.size() < MAX_PENDING) {
				SocketChannel channel = SocketChannel.open();
				channel.configureBlocking(false);
				channel.setOption(StandardSocketOptions.SO_LINGER, 0);
				channel.connect(address);
				pending.put(channel.register(selector, SelectionKey.OP_CONNECT), System.currentTimeMillis());
				opened++;
			}
			selector.select(100);
			Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
			while (keys.hasNext()) {
				SelectionKey key = keys.next();
				keys.remove();
				SocketChannel channel = (SocketChannel) key.channel();
				try {
					if (key.isConnectable()) {
						channel.finishConnect();
						channel.write(ByteBuffer.wrap(request));
						key.interestOps(SelectionKey.OP_READ);
					}
					else if (key.isReadable()) {
						buffer.clear();
						int read = channel.read(buffer);
						if (read < 0) {
							if (pending.remove(key) == null) {
								held--;
							}
							closedByServer++;
							key.cancel();
							channel.close();
						}
						else if (read > 0 && pending.remove(key) != null) {
							// the response (small, one read): from now on the connection is idle
							answered++;
							held++;
							maxHeld = Math.max(maxHeld, held);
						}
					}
				}
				catch (IOException ex) {
					if (pending.remove(key) == null) {
						held--;
						closedByServer++;
					}
					else {
						errors++;
					}
					key.cancel();
					channel.close();
				}
			}
			long now = System.currentTimeMillis();
			Iterator<Map.Entry<SelectionKey, Long>> waiting = pending.entrySet().iterator();
			while (waiting.hasNext()) {
				Map.Entry<SelectionKey, Long> entry = waiting.next();
				if (now - entry.getValue() > CONNECT_TIMEOUT_MS) {
					waiting.remove();
					connectTimeouts++;
					entry.getKey().cancel();
					entry.getKey().channel().close();
				}
			}
			if (now >= nextReport) {
				System.out.println("SEC " + ((now - start) / 1000) + " held=" + held + " pending=" + pending.size()
						+ " closedByServer=" + closedByServer);
				nextReport += 1000;
			}
		}
		System.out.println("FLOOD maxHeld=" + maxHeld + " opened=" + opened + " answered=" + answered
				+ " closedByServer=" + closedByServer + " connectTimeouts=" + connectTimeouts + " errors=" + errors);
		System.out.flush();
		// closing the connections is the end of the flood
		for (SelectionKey key : selector.keys()) {
			key.channel().close();
		}
	}

}
