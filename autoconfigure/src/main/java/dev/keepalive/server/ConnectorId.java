package dev.keepalive.server;

/**
 * Identifies a connector by what a client sees of it.
 *
 * @param port the local port it listens on
 * @param scheme {@code http} or {@code https}
 */
public record ConnectorId(int port, String scheme) {

}
