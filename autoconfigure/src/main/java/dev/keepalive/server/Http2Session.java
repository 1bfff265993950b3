package dev.keepalive.server;

/**
 * The HTTP/2 side of a connection, as a server implementation exposes it: its open
 * streams and its GOAWAY frames.
 */
public interface Http2Session {

	/**
	 * The streams open on the connection.
	 * @return the count
	 */
	int streams();

	/**
	 * Tell the client, once, to open no new stream here: a GOAWAY with the highest stream
	 * id and {@code NO_ERROR}, the HTTP/2 counterpart of {@code Connection: close}.
	 * Streams still arriving are served.
	 */
	void goAwayGracefully();

	/**
	 * Stop processing new streams, once: the final GOAWAY, with the id of the last stream
	 * the server processes. Sends the graceful one first if it has not been sent.
	 */
	void goAway();

	/**
	 * Retire the connection after its last allowed request: a graceful GOAWAY now, and,
	 * once no stream is open, the server's own final GOAWAY and close.
	 */
	void retire();

}
