package dev.keepalive.server;

/**
 * What an open connection is doing; the {@link #tag()} is the {@code state} tag of the
 * {@code keepalive.connections} gauge.
 */
public enum ConnectionState {

	/** Between requests, or new and nothing received yet. */
	IDLE("idle"),

	/** Part of a request line or headers received, the rest not yet. */
	READING_HEADERS("reading-headers"),

	/** A request is being handled by a thread. */
	ACTIVE("active"),

	/** A request is in asynchronous processing with no thread on it. */
	ASYNC("async"),

	/** Switched to another protocol (WebSocket). */
	UPGRADED("upgraded");

	private final String tag;

	ConnectionState(String tag) {
		this.tag = tag;
	}

	/**
	 * The metric tag value.
	 * @return for example {@code reading-headers}
	 */
	public String tag() {
		return this.tag;
	}

}
