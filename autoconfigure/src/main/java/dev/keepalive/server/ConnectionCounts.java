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
 */
public record ConnectionCounts(int open, int idle, int readingHeaders, int active, int async, int upgraded) {

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
