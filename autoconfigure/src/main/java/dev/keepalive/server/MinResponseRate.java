package dev.keepalive.server;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * A client must take the HTTP/1.1 response the server waits to send at the minimum rate.
 * Each such response has a credit of {@code rate × grace} bytes: it falls at the rate
 * while the client has bytes it could take (never faster than it is offered them, so a
 * response the server itself writes slowly is not held against its client), rises with
 * every byte the client takes, never above where it started, and the connection is reset
 * when it runs out. The credit is counted from when the response's write began to wait,
 * so a client that stops reading is reset one grace after the server's write first waited
 * for it; one that reads at the minimum rate or faster never is.
 * <p>
 * What the client takes is read from the kernel ({@link KernelSendQueues}): the bytes the
 * server has written less those not yet acknowledged. Only responses whose write has
 * waited for the socket are watched, so the kernel's tables are read only while some
 * client is slower than the server, and no more often than their cost allows. Linux only.
 */
final class MinResponseRate implements ConnectionSweeper.ConnectorRule {

	private static final Log logger = LogFactory.getLog(MinResponseRate.class);

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

	/**
	 * Checked this often for responses whose write waits: cheap, no system call.
	 */
	private static final Duration INTERVAL = Duration.ofMillis(100);

	/**
	 * Between two reads of the kernel's tables, this many times the last read's CPU time:
	 * at most 5 % of a core while some response is watched.
	 */
	private static final int READS_SPACING = 19;

	/** But at least once a second (more than 5 % of a core only past ~20,000 sockets). */
	private static final long MAX_READ_SPACING_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final long bytesPerSecond;

	private final long creditBytes;

	private final KernelSendQueues kernel = new KernelSendQueues();

	/** The responses watched, per connector; used by the sweeper thread only. */
	private final Map<ManagedConnector, Watches> watched = new IdentityHashMap<>();

	/**
	 * Whether the rule applies: a minimum is set and the kernel's tables are there.
	 * @param settings the settings
	 * @return whether it applies
	 */
	static boolean isAvailable(ServerKeepAliveSettings settings) {
		return settings.minResponseRate() > 0 && KernelSendQueues.isAvailable();
	}

	MinResponseRate(long bytesPerSecond, Duration grace) {
		this.bytesPerSecond = bytesPerSecond;
		this.creditBytes = Math.max(1, bytesPerSecond * grace.toMillis() / 1000);
	}

	@Override
	public Duration interval() {
		return INTERVAL;
	}

	@Override
	public void check(ManagedConnector connector, long nowNanos) {
		Watches watches = this.watched.computeIfAbsent(connector, (key) -> new Watches());
		watch(connector.connections(), watches.responses, nowNanos);
		if (watches.responses.isEmpty() || nowNanos - watches.nextReadNanos < 0) {
			return;
		}
		long cpuBefore = cpuTimeNanos();
		List<Watch> tooSlow = sample(connector.id().port(), watches, nowNanos);
		// the kernel lists every socket of the host: on a host with many, read less often
		long spent = Math.max(0, cpuTimeNanos() - cpuBefore);
		watches.nextReadNanos = nowNanos + Math.min(spent * (1 + READS_SPACING), MAX_READ_SPACING_NANOS);
		tooSlow.forEach((watch) -> reset(watch, nowNanos));
	}

	/**
	 * The CPU time of the sweeper thread: the cost of a read, which its wall time
	 * overstates when the CPU is busy.
	 */
	private static long cpuTimeNanos() {
		return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
	}

	/**
	 * Sample the watched responses from the kernel.
	 * @return those whose client has run out of credit
	 */
	private List<Watch> sample(int port, Watches watches, long nowNanos) {
		Map<Integer, List<Watch>> byRemotePort = new HashMap<>();
		watches.responses.values()
			.forEach((watch) -> byRemotePort.computeIfAbsent(watch.remotePort, (key) -> new ArrayList<>()).add(watch));
		List<Watch> tooSlow = new ArrayList<>();
		KernelSendQueues.Sink sink = (address, remotePort, unacknowledged) -> sample(byRemotePort.get(remotePort),
				address, unacknowledged, nowNanos, tooSlow);
		try {
			this.kernel.read(watches.ipv6, port, sink);
			if (watches.responses.values().stream().noneMatch((watch) -> watch.sampledNanos == nowNanos)) {
				// a connector's sockets are all IPv6 (Java's default) or all IPv4-only
				this.kernel.read(!watches.ipv6, port, sink);
				watches.ipv6 = !watches.ipv6;
			}
		}
		catch (IOException ex) {
			logger.debug("Could not read the kernel's TCP tables", ex);
		}
		// a socket missing from a read (the table changed under it) is sampled next time
		tooSlow.forEach((watch) -> watches.responses.remove(watch.connection));
		return tooSlow;
	}

	/**
	 * Watch the responses whose write waits for the socket, and keep watching them while
	 * their exchange goes on.
	 */
	private static void watch(ConnectorConnections connections, Map<TrackedConnection, Watch> watches, long nowNanos) {
		Map<TrackedConnection, Watch> previous = watches.isEmpty() ? Map.of() : new HashMap<>(watches);
		watches.clear();
		for (TrackedConnection connection : connections.connections()) {
			if (!responding(connection)) {
				continue;
			}
			Watch watch = previous.get(connection);
			if (watch == null && connection.isWriteBlocked()) {
				watch = Watch.of(connection, nowNanos);
			}
			if (watch != null) {
				watches.put(connection, watch);
			}
		}
	}

	private static boolean responding(TrackedConnection connection) {
		ConnectionState state = connection.state();
		return (state == ConnectionState.ACTIVE || state == ConnectionState.ASYNC) && !connection.isHttp2()
				&& !connection.isClosing();
	}

	private void sample(@Nullable List<Watch> candidates, byte[] address, long unacknowledged, long nowNanos,
			List<Watch> tooSlow) {
		if (candidates == null) {
			return;
		}
		for (Watch watch : candidates) {
			// a table read while it changes may list a socket twice
			if (watch.sampledNanos != nowNanos && Arrays.equals(watch.address, address)) {
				if (!watch.sample(nowNanos, unacknowledged, this.bytesPerSecond, this.creditBytes)) {
					tooSlow.add(watch);
				}
				return;
			}
		}
	}

	private void reset(Watch watch, long nowNanos) {
		watch.connection.endResponseTooSlow();
		if (logger.isDebugEnabled()) {
			logger.debug(String.format(
					"Reset a connection whose client fell behind the minimum response rate (%d B/s) by more than"
							+ " the grace allows; its response had waited %.2f s for it",
					this.bytesPerSecond, (nowNanos - watch.waitingSinceNanos) / 1e9));
		}
	}

	/**
	 * The responses watched on one connector, and when the kernel may be read again.
	 */
	private static final class Watches {

		private final Map<TrackedConnection, Watch> responses = new HashMap<>();

		private long nextReadNanos = System.nanoTime();

		/** Which table to read first: the one that had the connector's sockets last. */
		private boolean ipv6 = true;

	}

	/**
	 * One response watched: its credit and what the kernel said last.
	 */
	private static final class Watch {

		private final TrackedConnection connection;

		private final byte[] address;

		private final int remotePort;

		/**
		 * When the kernel last showed the connection; before the first sample, when the
		 * write began to wait.
		 */
		private long sampledNanos;

		/** Written and unacknowledged at the last sample, -1 before the first. */
		private long written = -1;

		private long unacknowledged;

		private long credit;

		private final long waitingSinceNanos;

		private Watch(TrackedConnection connection, byte[] address, int remotePort, long waitingSinceNanos) {
			this.connection = connection;
			this.address = address;
			this.remotePort = remotePort;
			this.waitingSinceNanos = waitingSinceNanos;
			this.sampledNanos = waitingSinceNanos;
		}

		/**
		 * Watch a response whose write waits: since it last moved bytes, by the server's
		 * own clock, so that a sweep that comes late (every thread waits for the CPU
		 * while hundreds write) does not give the client more time.
		 */
		static @Nullable Watch of(TrackedConnection connection, long nowNanos) {
			InetSocketAddress remote = connection.remoteAddress();
			if (remote == null) {
				return null;
			}
			return new Watch(connection, KernelSendQueues.mapped(remote.getAddress()), remote.getPort(),
					nowNanos - TimeUnit.MILLISECONDS.toNanos(connection.idleMillis()));
		}

		/**
		 * Take what the kernel says now.
		 * @return whether the client still has credit
		 */
		boolean sample(long nowNanos, long unacknowledged, long bytesPerSecond, long creditBytes) {
			long written = this.connection.bytesWritten();
			long elapsedNanos = nowNanos - this.sampledNanos;
			this.sampledNanos = nowNanos;
			if (this.written < 0 || written < this.written) {
				// the first sample, or a new response (Tomcat counts per response): what
				// the client took while the write waited is unknown: the time waited is
				// owed, but at most half the credit, which a client reading all along
				// keeps
				long waited = owed(bytesPerSecond, elapsedNanos, Long.MAX_VALUE);
				this.credit = creditBytes - Math.min(waited, creditBytes / 2);
			}
			else {
				long taken = (written - unacknowledged) - (this.written - this.unacknowledged);
				long offered = this.unacknowledged + (written - this.written);
				this.credit = Math.min(creditBytes, this.credit + taken - owed(bytesPerSecond, elapsedNanos, offered));
			}
			this.written = written;
			this.unacknowledged = unacknowledged;
			return this.credit >= 0;
		}

		/**
		 * What the client owes for {@code elapsedNanos}: the rate, but never more than it
		 * was offered.
		 */
		private static long owed(long bytesPerSecond, long elapsedNanos, long offered) {
			return Math.min(offered, (long) (bytesPerSecond * (elapsedNanos / 1e9)));
		}

	}

}
