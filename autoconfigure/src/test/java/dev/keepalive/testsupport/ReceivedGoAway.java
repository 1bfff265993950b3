package dev.keepalive.testsupport;

/**
 * A GOAWAY frame a test client received, and when.
 *
 * @param lastStreamId the last stream id it carried
 * @param nanos {@link System#nanoTime()} when it arrived
 */
public record ReceivedGoAway(int lastStreamId, long nanos) {

	/**
	 * Whether this is the graceful GOAWAY (last stream id 2^31-1) of a drain's start.
	 * @return whether it is graceful
	 */
	public boolean isGraceful() {
		return this.lastStreamId == Integer.MAX_VALUE;
	}

}
