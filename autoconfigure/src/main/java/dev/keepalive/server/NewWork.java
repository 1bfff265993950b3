package dev.keepalive.server;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * When new work last arrived since a moment (readiness going down): a request other than
 * a platform probe, and the newest connection that brought one. A connection whose
 * requests are all probes (the kubelet opens one per probe) is not new work, nor is one
 * that has sent nothing yet: the drain serves it anyway.
 */
public final class NewWork {

	private final List<String> probePaths;

	private volatile long since;

	private volatile long lastRequest;

	private volatile long lastConnection;

	/**
	 * Create a record of new work.
	 * @param probePaths the paths of the platform's probes; each one covers the paths
	 * under it
	 */
	public NewWork(List<String> probePaths) {
		this.probePaths = List.copyOf(probePaths);
	}

	/**
	 * Forget earlier work and record from now.
	 * @param nanos now, from {@link System#nanoTime()}
	 */
	void start(long nanos) {
		this.since = nanos;
		this.lastRequest = nanos;
		this.lastConnection = nanos;
	}

	/**
	 * Record a request (an HTTP/1.1 request or an HTTP/2 stream) as it arrives.
	 * @param connection its connection, or {@code null} if it is not tracked
	 * @param path its path, context path included
	 */
	void requestArrived(@Nullable TrackedConnection connection, String path) {
		if (isProbe(path)) {
			return;
		}
		this.lastRequest = System.nanoTime();
		if (connection != null && connection.openedNanos() - this.lastConnection > 0) {
			// racing writers may keep an older one: the difference is microseconds
			this.lastConnection = connection.openedNanos();
		}
	}

	/**
	 * How long after the start the last request other than a probe arrived.
	 * @return the time, or {@code null} if none came
	 */
	public @Nullable Duration lastRequest() {
		return after(this.lastRequest);
	}

	/**
	 * How long after the start the newest connection that brought a request other than a
	 * probe was opened.
	 * @return the time, or {@code null} if none was
	 */
	public @Nullable Duration lastNewConnection() {
		return after(this.lastConnection);
	}

	private @Nullable Duration after(long nanos) {
		long since = this.since;
		return (nanos != since) ? Duration.ofNanos(nanos - since) : null;
	}

	/**
	 * When the last request other than a probe arrived.
	 * @return its {@link System#nanoTime()}, or the start if none came
	 */
	public long lastRequestNanos() {
		return this.lastRequest;
	}

	/**
	 * When recording started.
	 * @return its {@link System#nanoTime()}
	 */
	public long sinceNanos() {
		return this.since;
	}

	private boolean isProbe(String path) {
		for (String probe : this.probePaths) {
			if (path.startsWith(probe) && (path.length() == probe.length() || path.charAt(probe.length()) == '/')) {
				return true;
			}
		}
		return false;
	}

}
