package dev.keepalive.server.netty;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;

/**
 * Stops a Reactor Netty listening channel without resetting the connections the kernel
 * has already established on it. Netty's acceptor never blocks: it takes every queued
 * connection whenever the socket is ready. A marker connected to the socket is accepted
 * after every connection queued before it (the queue is first in, first out); the socket
 * is closed once the marker is seen, so that only handshakes completing in between, a few
 * microseconds, are reset.
 */
final class NettyAcceptQueue {

	private static final long MARKER_WAIT_MILLIS = 1000;

	private final Channel listening;

	private final CountDownLatch markerAccepted = new CountDownLatch(1);

	private final AtomicInteger taken = new AtomicInteger();

	private volatile int markerPort = -1;

	NettyAcceptQueue(Channel listening) {
		this.listening = listening;
	}

	/**
	 * Record a connection the server has just accepted.
	 * @param channel the connection
	 * @return whether it is the marker, to be closed and not served
	 */
	boolean accepted(Channel channel) {
		int markerPort = this.markerPort;
		if (markerPort < 0) {
			return false;
		}
		if (channel.remoteAddress() instanceof InetSocketAddress remote && remote.getPort() == markerPort
				&& remote.getAddress().isLoopbackAddress()) {
			this.markerAccepted.countDown();
			return true;
		}
		this.taken.incrementAndGet();
		return false;
	}

	/**
	 * Take what the kernel has queued, then close the listening channel.
	 * @return the connections accepted meanwhile
	 */
	int stopAccepting() {
		if (!this.listening.isOpen()) {
			return 0;
		}
		try (SocketChannel marker = SocketChannel.open()) {
			InetSocketAddress target = reachable((InetSocketAddress) this.listening.localAddress());
			marker.configureBlocking(false);
			// a reset when it closes: no TIME_WAIT left behind
			marker.setOption(StandardSocketOptions.SO_LINGER, 0);
			marker.bind(new InetSocketAddress(target.getAddress(), 0));
			this.markerPort = ((InetSocketAddress) marker.getLocalAddress()).getPort();
			marker.connect(target);
			this.markerAccepted.await(MARKER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
		}
		catch (IOException ex) {
			// closed below: what is queued is reset, as without the marker
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.listening.close().awaitUninterruptibly(MARKER_WAIT_MILLIS);
		return this.taken.get();
	}

	/**
	 * The address to connect to: a wildcard address through loopback.
	 */
	private static InetSocketAddress reachable(InetSocketAddress listening) {
		InetAddress host = listening.getAddress();
		return new InetSocketAddress(host.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : host,
				listening.getPort());
	}

}
