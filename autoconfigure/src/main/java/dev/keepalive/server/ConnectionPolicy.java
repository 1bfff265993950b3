package dev.keepalive.server;

import org.jspecify.annotations.Nullable;

/**
 * Decides, when a response is committed, whether its connection stays open, and what the
 * response says about it. Shared by every server implementation so that the rules are the
 * same on all of them.
 */
public final class ConnectionPolicy {

	private final ServerKeepAliveSettings settings;

	public ConnectionPolicy(ServerKeepAliveSettings settings) {
		this.settings = settings;
	}

	public ServerKeepAliveSettings settings() {
		return this.settings;
	}

	/**
	 * Return why the response being committed must close its connection, or {@code null}
	 * if Keepalive lets it stay open.
	 * @param requestsOnConnection the number of requests received on the connection so
	 * far, this one included
	 * @return the reason to close, or {@code null}
	 */
	public @Nullable CloseReason closeReason(long requestsOnConnection) {
		Integer maxRequests = this.settings.maxRequestsPerConnection();
		if (maxRequests != null && requestsOnConnection >= maxRequests) {
			return CloseReason.MAX_REQUESTS;
		}
		return null;
	}

	/**
	 * The {@code Keep-Alive} header value for a response that keeps its connection open,
	 * or {@code null} if none is sent.
	 * @param idleTimeoutMillis the idle timeout the server applies to the connection
	 * @return for example {@code timeout=65}
	 */
	public @Nullable String keepAliveHeaderValue(long idleTimeoutMillis) {
		return (this.settings.advertiseIdleTimeout() && idleTimeoutMillis >= 1000)
				? "timeout=" + (idleTimeoutMillis / 1000) : null;
	}

}
