package dev.keepalive.server;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * The timeouts and limits a connector applies, as read back from its server.
 *
 * @param idleTimeout how long an idle connection is kept open
 * @param headersTimeout deadline for a request line and its headers
 * @param maxRequestsPerConnection requests per connection, or {@code null} for no limit
 * @param maxConnectionAge age after which a connection closes after its next response, or
 * {@code null} for no limit
 * @param maxConnections the server's own limit of open connections, or {@code null} for
 * none
 */
public record ConnectorLimits(Duration idleTimeout, Duration headersTimeout, @Nullable Integer maxRequestsPerConnection,
		@Nullable Duration maxConnectionAge, @Nullable Integer maxConnections) {

}
