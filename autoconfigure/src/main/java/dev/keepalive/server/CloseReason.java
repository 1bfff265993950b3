package dev.keepalive.server;

/**
 * Why a connection was closed; the {@link #tag()} is the {@code reason} tag of the
 * {@code keepalive.connections.closed} counter.
 */
public enum CloseReason {

	/** Idle for longer than {@code keepalive.server.idle-timeout}. */
	IDLE_TIMEOUT("idle-timeout"),

	/** Request line and headers not complete within {@code headers-timeout}. */
	HEADERS_TIMEOUT("headers-timeout"),

	/**
	 * A request body arrived slower than {@code min-request-body-rate}: answered
	 * {@code 408} (unless its response had started) and closed.
	 */
	BODY_RATE("body-rate"),

	/**
	 * Its client took a response slower than {@code min-response-rate}: closed with a
	 * reset.
	 */
	RESPONSE_RATE("response-rate"),

	/**
	 * Idle while its connector was past the high-water mark of its connections: beyond
	 * the mark (idle longest first), or idle longer than the idle timeout shortened by
	 * the pressure.
	 */
	PRESSURE("pressure"),

	/** Closed after a response because it was older than {@code max-connection-age}. */
	MAX_AGE("max-age"),

	/** Closed after its last allowed response ({@code max-requests-per-connection}). */
	MAX_REQUESTS("max-requests"),

	/** Idle when the drain stopped accepting, and closed at once. */
	DRAIN_IDLE("drain-idle"),

	/** Closed after its response during the drain. */
	DRAIN_AFTER_RESPONSE("drain-after-response"),

	/**
	 * Upgraded (WebSocket), told to reconnect elsewhere when the drain stopped accepting,
	 * and closed within the grace.
	 */
	DRAIN_UPGRADED("drain-upgraded"),

	/** Still open at the drain deadline and closed regardless. */
	FORCED("forced"),

	/**
	 * Closed by the client, or for a reason of the server's own (errors, a request that
	 * said close).
	 */
	CLIENT("client");

	private final String tag;

	CloseReason(String tag) {
		this.tag = tag;
	}

	/**
	 * The metric tag value.
	 * @return for example {@code idle-timeout}
	 */
	public String tag() {
		return this.tag;
	}

}
