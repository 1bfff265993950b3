package dev.keepalive.server.netty;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.keepalive.server.AcceptQueue;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * Stops a Reactor Netty listening channel without resetting the connections the kernel
 * has already established on it. Netty's acceptor never blocks: whenever the socket is
 * ready it takes a batch of queued connections, and hands each one over. A marker
 * connected to the socket is accepted after every connection queued before it (the queue
 * is first in, first out), but clients may queue behind it until then. So, once the drain
 * has begun, a batch ends only when the queue is empty ({@link AcceptUntilEmpty}), and
 * the acceptor closes the socket itself, on its event loop, at the end of the first batch
 * past a marker that left the queue empty. Where connections are handed over only after
 * the whole batch has been taken (Java NIO), that batch must also have taken nothing but
 * the marker, or clients may have queued meanwhile and another marker is sent. Only
 * handshakes completing in the microseconds in between are reset. Sits first in the
 * listening channel's pipeline, where each accepted connection passes as a message.
 */
final class NettyAcceptQueue extends ChannelInboundHandlerAdapter {

	static final String NAME = "keepalive.acceptQueue";

	private static final long MARKER_WAIT_MILLIS = 1000;

	private final CountDownLatch closed = new CountDownLatch(1);

	private final List<SocketChannel> markers = new CopyOnWriteArrayList<>();

	private final Set<Integer> markerPorts = ConcurrentHashMap.newKeySet();

	/**
	 * A batch that takes fewer connections than this stopped at an empty queue. Unknown
	 * until the drain begins: every batch counts as emptying the queue.
	 */
	private volatile int fullBatch = Integer.MAX_VALUE;

	/** Set before the first marker is sent. */
	private volatile boolean handsOverAfterBatch;

	/** Written and read on the listening channel's event loop only. */
	private boolean markerSeen;

	/**
	 * Markers taken in the current batch: closed after it, not while the queue is taken.
	 * Read and written on the listening channel's event loop only.
	 */
	private final List<Channel> acceptedMarkers = new ArrayList<>();

	/** Written and read on the listening channel's event loop only. */
	private int batch;

	/** Written and read on the listening channel's event loop only. */
	private int handedOver;

	private volatile int taken;

	/** Accepted, not yet set up on their event loops (and so not yet tracked). */
	private final Set<Channel> pending = ConcurrentHashMap.newKeySet();

	@Override
	public boolean isSharable() {
		return false;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		this.batch++;
		if (msg instanceof Channel accepted) {
			if (!this.markerPorts.isEmpty()) {
				if (isMarker(accepted)) {
					this.markerSeen = true;
					this.acceptedMarkers.add(accepted);
					return;
				}
				this.taken++;
			}
			this.handedOver++;
			this.pending.add(accepted);
		}
		ctx.fireChannelRead(msg);
	}

	/**
	 * A connection taken from the queue has its pipeline, and is tracked: the drain sees
	 * it.
	 * @param channel the connection
	 */
	void initialized(Channel channel) {
		this.pending.remove(channel);
	}

	private boolean isMarker(Channel accepted) {
		return accepted.remoteAddress() instanceof InetSocketAddress remote
				&& this.markerPorts.contains(remote.getPort()) && remote.getAddress().isLoopbackAddress();
	}

	/**
	 * The batch is over. Clients keep queuing until the socket is closed: nothing here
	 * may take time before it is (no class to load, no marker to close).
	 */
	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		boolean queueLeftEmpty = this.batch < this.fullBatch && (this.handedOver == 0 || !this.handsOverAfterBatch);
		this.batch = 0;
		this.handedOver = 0;
		if (this.markerSeen) {
			this.markerSeen = false;
			if (queueLeftEmpty) {
				ctx.channel().close();
				this.closed.countDown();
			}
			else if (ctx.channel().isOpen()) {
				sendMarker(ctx.channel());
			}
			this.acceptedMarkers.forEach((marker) -> marker.unsafe().closeForcibly());
			this.acceptedMarkers.clear();
		}
		ctx.fireChannelReadComplete();
	}

	/**
	 * Take what the kernel has queued, then close the listening channel.
	 * @param listening the listening channel, this handler in its pipeline
	 * @return the connections accepted meanwhile
	 */
	int stopAccepting(Channel listening) {
		if (!listening.isOpen()) {
			return 0;
		}
		try {
			acceptUntilEmpty(listening);
			this.handsOverAfterBatch = listening instanceof NioServerSocketChannel;
			sendMarker(listening);
			this.closed.await(MARKER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			// already closed, unless the acceptor did not get to a marker in time:
			// what is still queued is reset, as without the markers
			listening.close().awaitUninterruptibly(MARKER_WAIT_MILLIS);
			this.markers.forEach(NettyAcceptQueue::close);
		}
		awaitInitialized();
		return this.taken;
	}

	/**
	 * Make each batch go on until the queue is empty (or the batch is full), rather than
	 * stop after one connection.
	 */
	private void acceptUntilEmpty(Channel listening) {
		if (listening.config().getRecvByteBufAllocator() instanceof AcceptUntilEmpty allocator) {
			allocator.start();
			this.fullBatch = AcceptUntilEmpty.DRAIN_BATCH;
		}
	}

	/**
	 * Connect a marker to the listening channel, without waiting: from the drain's
	 * thread, then from the acceptor's event loop.
	 */
	private void sendMarker(Channel listening) {
		try {
			InetSocketAddress target = AcceptQueue.reachable((InetSocketAddress) listening.localAddress());
			SocketChannel marker = AcceptQueue.boundMarker(target);
			this.markers.add(marker);
			this.markerPorts.add(((InetSocketAddress) marker.getLocalAddress()).getPort());
			marker.connect(target);
		}
		catch (IOException ex) {
			// what is still queued is reset, as without the markers
			listening.close();
			this.closed.countDown();
		}
	}

	private static void close(SocketChannel marker) {
		try {
			marker.close();
		}
		catch (IOException ex) {
			// nothing left to do
		}
	}

	/**
	 * Wait until every connection accepted is tracked: each is set up on its own event
	 * loop after the acceptor hands it over, and a drain that looked before would miss
	 * it.
	 */
	private void awaitInitialized() {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MARKER_WAIT_MILLIS);
		this.pending.removeIf((channel) -> !channel.isOpen());
		while (!this.pending.isEmpty() && System.nanoTime() - deadline < 0) {
			try {
				Thread.sleep(1);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			this.pending.removeIf((channel) -> !channel.isOpen());
		}
	}

}
