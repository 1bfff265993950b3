package dev.keepalive.server.jetty;

import dev.keepalive.server.ConnectionPolicy;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

/**
 * Wraps the stream of every HTTP/1.x request so that the connection headers are decided
 * when its response is committed, not when it starts.
 */
final class KeepAliveRequestCustomizer implements HttpConfiguration.Customizer {

	private final ConnectionPolicy policy;

	KeepAliveRequestCustomizer(ConnectionPolicy policy) {
		this.policy = policy;
	}

	@Override
	public Request customize(Request request, HttpFields.Mutable responseHeaders) {
		HttpVersion version = request.getConnectionMetaData().getHttpVersion();
		// HTTP/2 and HTTP/3 have no connection-specific headers
		if (version == HttpVersion.HTTP_1_1 || version == HttpVersion.HTTP_1_0) {
			request.addHttpStreamWrapper((stream) -> new KeepAliveHttpStream(stream, request, this.policy));
		}
		return request;
	}

}
