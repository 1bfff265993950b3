package dev.keepalive.server.jetty;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Keep-Alive} response field, encoded once and reused while its value stays
 * the same: it goes on nearly every response.
 */
final class KeepAliveFields {

	private volatile @Nullable PreEncodedHttpField last;

	@Nullable HttpField get(@Nullable String value) {
		if (value == null) {
			return null;
		}
		PreEncodedHttpField field = this.last;
		if (field == null || !field.getValue().equals(value)) {
			field = new PreEncodedHttpField(HttpHeader.KEEP_ALIVE, value);
			this.last = field;
		}
		return field;
	}

}
