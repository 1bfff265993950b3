package dev.keepalive.server.jetty;

import dev.keepalive.server.ConnectionPolicy;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Keep-Alive} response field of one connector, encoded once and reused while
 * the connector's idle timeout stays the same: it goes on nearly every response.
 */
final class KeepAliveFields {

	private final ConnectionPolicy policy;

	private volatile Encoded last = new Encoded(-1, null);

	KeepAliveFields(ConnectionPolicy policy) {
		this.policy = policy;
	}

	@Nullable HttpField get(long idleTimeoutMillis) {
		Encoded encoded = this.last;
		if (encoded.idleTimeoutMillis != idleTimeoutMillis) {
			String value = this.policy.keepAliveHeaderValue(idleTimeoutMillis);
			encoded = new Encoded(idleTimeoutMillis,
					(value != null) ? new PreEncodedHttpField(HttpHeader.KEEP_ALIVE, value) : null);
			this.last = encoded;
		}
		return encoded.field;
	}

	private record Encoded(long idleTimeoutMillis, @Nullable HttpField field) {

	}

}
