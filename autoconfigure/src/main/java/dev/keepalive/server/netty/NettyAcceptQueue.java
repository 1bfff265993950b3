package dev.keepalive.server.netty;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.keepalive.server.AcceptQueue;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;

/**
 * Stops a Reactor Netty listening channel without resetting the connections the kernel
 * has already established on it. Netty's acceptor never blocks: it takes queued
 * connections in batches whenever the socket is ready. A marker connected to the socket
 * is accepted after every connection queued before it (the queue is first in, first out);
 * the acceptor closes the socket itself, on its event loop, at the end of the first batch
 * past the marker that left the queue empty, so that only handshakes completing in the
 * microseconds in between are reset. Sits first in the listening channel's pipeline,
 * where each accepted connection passes as a message.
 */
final class NettyAcceptQueue extends ChannelInboundHandlerAdapter {

	static final String NAME = "keepalive.acceptQueue";

	private static final long MARKER_WAIT_MILLIS = 1000;

	private final CountDownLatch closed = new CountDownLatch(1);

	private volatile int markerPort = -1;

	private volatile boolean markerSeen;

	/** Written and read on the listening channel's event loop only. */
	private int batch;

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
			if (this.markerPort >= 0) {
				if (isMarker(accepted)) {
					this.markerSeen = true;
					accepted.unsafe().closeForcibly();
					return;
				}
				this.taken++;
			}
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
		return accepted.remoteAddress() instanceof InetSocketAddress remote && remote.getPort() == this.markerPort
				&& remote.getAddress().isLoopbackAddress();
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		int batch = this.batch;
		this.batch = 0;
		// a full batch may have left connections queued: the next one takes them
		if (this.markerSeen && batch < maxPerBatch(ctx.channel())) {
			ctx.channel().close();
			this.closed.countDown();
		}
		ctx.fireChannelReadComplete();
	}

	private static int maxPerBatch(Channel channel) {
		RecvByteBufAllocator allocator = channel.config().getRecvByteBufAllocator();
		return (allocator instanceof MaxMessagesRecvByteBufAllocator max) ? max.maxMessagesPerRead() : 1;
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
		try (SocketChannel marker = SocketChannel.open()) {
			InetSocketAddress target = AcceptQueue.reachable((InetSocketAddress) listening.localAddress());
			marker.configureBlocking(false);
			// a reset when it closes: no TIME_WAIT left behind
			marker.setOption(StandardSocketOptions.SO_LINGER, 0);
			marker.bind(new InetSocketAddress(target.getAddress(), 0));
			this.markerPort = ((InetSocketAddress) marker.getLocalAddress()).getPort();
			marker.connect(target);
			this.closed.await(MARKER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
		}
		catch (IOException ex) {
			// closed below: what is queued is reset, as without the marker
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		// already closed, unless the acceptor did not get to the marker in time
		listening.close().awaitUninterruptibly(MARKER_WAIT_MILLIS);
		awaitInitialized();
		return this.taken;
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
