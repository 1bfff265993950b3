package dev.keepalive.server;

/**
 * The open connections of a connector, by state, at one moment.
 *
 * @param open all open connections
 * @param idle {@link ConnectionState#IDLE}
 * @param readingHeaders {@link ConnectionState#READING_HEADERS}
 * @param active {@link ConnectionState#ACTIVE}
 * @param async {@link ConnectionState#ASYNC}
 * @param upgraded {@link ConnectionState#UPGRADED}
 * @param http2 connections that speak HTTP/2 (each is also idle or active)
 * @param streams HTTP/2 streams open on them
 */
public record ConnectionCounts(int open, int idle, int readingHeaders, int active, int async, int upgraded, int http2,
		int streams) {

	/**
	 * No connections.
	 */
	public static final ConnectionCounts NONE = new ConnectionCounts(0, 0, 0, 0, 0, 0, 0, 0);

	/**
	 * Add two counts.
	 * @param other the counts to add
	 * @return the sum
	 */
	public ConnectionCounts plus(ConnectionCounts other) {
		return new ConnectionCounts(this.open + other.open, this.idle + other.idle,
				this.readingHeaders + other.readingHeaders, this.active + other.active, this.async + other.async,
				this.upgraded + other.upgraded, this.http2 + other.http2, this.streams + other.streams);
	}

	@Override
	public String toString() {
		String counts = this.open + " open (idle " + this.idle + ", reading-headers " + this.readingHeaders
				+ ", active " + this.active + ", async " + this.async + ", upgraded " + this.upgraded + ")";
		return (this.http2 > 0) ? counts + ", " + this.http2 + " of them HTTP/2 with " + this.streams + " streams"
				: counts;
	}

	/**
	 * The count for one state.
	 * @param state the state
	 * @return the number of connections in it
	 */
	public int get(ConnectionState state) {
		return switch (state) {
			case IDLE -> this.idle;
			case READING_HEADERS -> this.readingHeaders;
			case ACTIVE -> this.active;
			case ASYNC -> this.async;
			case UPGRADED -> this.upgraded;
		};
	}

}
