package dev.keepalive.drain;

/**
 * The phases of a drain, in order.
 */
public enum DrainPhase {

	/** Not draining: the server serves and keeps connections alive as configured. */
	SERVING,

	/**
	 * Readiness is down; the server still accepts and serves, every response closes its
	 * connection, so that load balancers and clients move away.
	 */
	DRAIN_DELAY,

	/**
	 * New connections are refused, idle ones are closed, requests on open connections are
	 * served with {@code Connection: close}; ends when no connection is left.
	 */
	DRAINING,

	/** The timeout passed: whatever is still open is closed. */
	FORCE_CLOSING,

	/** The drain is over; the server accepts no more connections. */
	STOPPED

}
