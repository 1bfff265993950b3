package dev.keepalive.drain;

/**
 * Why {@link DrainPhase#DRAIN_DELAY} ended.
 */
public enum DrainDelayEnd {

	/**
	 * No new work arrived for the quiet period: the load balancer has let go.
	 */
	QUIET("quiet"),

	/**
	 * The drain delay ran its full length: it has no quiet period, or work kept arriving.
	 */
	MAXIMUM("maximum");

	private final String description;

	DrainDelayEnd(String description) {
		this.description = description;
	}

	/**
	 * How the endpoint and the log say it.
	 * @return a lower-case word
	 */
	public String description() {
		return this.description;
	}

}
