package dev.keepalive.client;

import java.io.IOException;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when an idempotent request failed on a reused pooled connection before any byte
 * of the response arrived: the server had closed the connection while it was idle.
 * Keepalive retries such a request once, on another connection; this exception reaches
 * the caller only if that retry fails the same way.
 */
public final class StaleConnectionException extends IOException {

	private final String client;

	StaleConnectionException(String client, String message, @Nullable Throwable cause) {
		super(message, cause);
		this.client = client;
	}

	@Override
	public synchronized Throwable fillInStackTrace() {
		// Raised on an I/O thread, where the stack says nothing about the caller
		return this;
	}

	/**
	 * The client library whose connection went stale.
	 * @return the library name, for example {@code reactor-netty}
	 */
	public String getClient() {
		return this.client;
	}

	static @Nullable StaleConnectionException find(@Nullable Throwable failure) {
		for (Throwable candidate = failure; candidate != null; candidate = candidate.getCause()) {
			if (candidate instanceof StaleConnectionException stale) {
				return stale;
			}
			if (candidate.getCause() == candidate) {
				return null;
			}
		}
		return null;
	}

}
