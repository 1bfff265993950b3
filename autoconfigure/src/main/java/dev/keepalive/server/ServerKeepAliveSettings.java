package dev.keepalive.server;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * The keep-alive settings every server implementation applies, resolved from
 * {@code keepalive.server.*}.
 *
 * @param idleTimeout how long a connection with no request in progress is kept open
 * @param headersTimeout deadline from the first byte of a request line to the end of its
 * headers
 * @param maxRequestsPerConnection requests served on one connection before it is closed,
 * or {@code null} to leave the server's own limit
 * @param maxConnectionAge age after which a connection is closed after its next response,
 * or {@code null} for no limit
 * @param advertiseIdleTimeout whether keep-alive responses carry
 * {@code Keep-Alive: timeout=N}
 * @param minRequestBodyRate bytes per second below which a request body the server waits
 * for ends its request, 0 for no minimum
 * @param minResponseRate bytes per second below which a client that takes a response the
 * server waits to send has its connection reset, 0 for no minimum
 * @param minDataRateGrace how long the server waits for a body, or a client to take a
 * response, before their rates count
 * @param pressure how keep-alive yields when connectors run out of connections, or
 * {@code null} if it does not
 */
public record ServerKeepAliveSettings(Duration idleTimeout, Duration headersTimeout,
		@Nullable Integer maxRequestsPerConnection, @Nullable Duration maxConnectionAge, boolean advertiseIdleTimeout,
		long minRequestBodyRate, long minResponseRate, Duration minDataRateGrace, @Nullable PressureSettings pressure) {
}
