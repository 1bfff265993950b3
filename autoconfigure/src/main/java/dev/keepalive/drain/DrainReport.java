package dev.keepalive.drain;

import java.time.Duration;
import java.time.Instant;

/**
 * What a drain did. Every count comes from the same counters as the
 * {@code keepalive.connections.closed} meter and the endpoint.
 *
 * @param trigger {@code shutdown} or {@code runtime}
 * @param startedAt when it began
 * @param drainDelay time spent in {@link DrainPhase#DRAIN_DELAY}
 * @param draining time spent in {@link DrainPhase#DRAINING}
 * @param forceClosing time spent in {@link DrainPhase#FORCE_CLOSING}
 * @param requestsServed responses sent during the drain, all with
 * {@code Connection: close}
 * @param takenFromAcceptQueue connections that were waiting in the kernel's accept queue
 * when the server stopped accepting, taken and served instead of reset
 * @param closedIdle connections closed because they were still idle at the end of the
 * idle grace
 * @param closedAfterResponse connections closed after their last response
 * @param closedUpgraded upgraded connections (WebSocket) that closed within the grace
 * after being told to reconnect
 * @param forced connections closed regardless: upgraded ones still open after the grace,
 * and everything still open at the deadline
 */
public record DrainReport(String trigger, Instant startedAt, Duration drainDelay, Duration draining,
		Duration forceClosing, long requestsServed, long takenFromAcceptQueue, long closedIdle,
		long closedAfterResponse, long closedUpgraded, long forced) {

	/**
	 * The whole drain, from readiness down to the last connection closed.
	 * @return the total duration
	 */
	public Duration total() {
		return this.drainDelay.plus(this.draining).plus(this.forceClosing);
	}

}
