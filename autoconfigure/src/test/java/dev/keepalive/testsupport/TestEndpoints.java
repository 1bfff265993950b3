package dev.keepalive.testsupport;

/**
 * What tests read from, and do to, the test controller of either web stack.
 */
public interface TestEndpoints {

	/**
	 * Release every {@code /hang} request.
	 */
	void releaseHangingRequests();

	/**
	 * Number of {@code /echo} requests handled.
	 * @return the count
	 */
	int posts();

	/**
	 * Number of {@code /hello} requests handled.
	 * @return the count
	 */
	int hellos();

	/**
	 * Number of slow, streaming or hanging requests not yet answered.
	 * @return the count
	 */
	int inFlight();

}
