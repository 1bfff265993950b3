package dev.keepalive.server.jetty;

import dev.keepalive.server.ConnectionPolicy;
import dev.keepalive.server.ConnectorPressure;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Connector;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Keep-Alive} response field of one connector, encoded once and reused while
 * the connector's idle timeout stays the same: it goes on nearly every response. The
 * timeout is the one in force, shorter under connection pressure.
 */
final class KeepAliveFields {

	private final ConnectionPolicy policy;

	private final Connector connector;

	private final ConnectorPressure pressure;

	private volatile Encoded last = new Encoded(-1, null);

	KeepAliveFields(ConnectionPolicy policy, Connector connector, ConnectorPressure pressure) {
		this.policy = policy;
		this.connector = connector;
		this.pressure = pressure;
	}

	@Nullable HttpField get() {
		long idleTimeoutMillis = this.pressure.idleTimeoutMillis(this.connector.getIdleTimeout());
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
