package dev.keepalive.drain;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

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
 * @param drainDelayEnd why the drain delay ended
 * @param lastNewConnection when, after readiness went down, the last new connection that
 * brought a request other than a probe was opened, or {@code null} if none was: with
 * {@code lastRequest}, how long the load balancer took to let go
 * @param lastRequest when, after readiness went down, the last request other than a probe
 * arrived during the drain delay, or {@code null} if none did
 */
public record DrainReport(String trigger, Instant startedAt, Duration drainDelay, Duration draining,
		Duration forceClosing, long requestsServed, long takenFromAcceptQueue, long closedIdle,
		long closedAfterResponse, long closedUpgraded, long forced, DrainDelayEnd drainDelayEnd,
		@Nullable Duration lastNewConnection, @Nullable Duration lastRequest) {

	/**
	 * The whole drain, from readiness down to the last connection closed.
	 * @return the total duration
	 */
	public Duration total() {
		return this.drainDelay.plus(this.draining).plus(this.forceClosing);
	}

}
