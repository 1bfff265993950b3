package dev.keepalive.server.jetty;

import dev.keepalive.server.ServerConnections;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.jspecify.annotations.Nullable;

/**
 * Begins the tracking of every HTTP/1.x exchange on one connector and wraps its stream,
 * so that the connection headers are decided when the response is committed, not when the
 * request starts. Other versions' streams only have their responses counted.
 */
final class KeepAliveRequestCustomizer implements HttpConfiguration.Customizer {

	private final Connector connector;

	private final JettyConnectionTracker tracker;

	private final ServerConnections server;

	private final KeepAliveFields keepAliveFields;

	KeepAliveRequestCustomizer(Connector connector, JettyConnectionTracker tracker, ServerConnections server) {
		this.connector = connector;
		this.tracker = tracker;
		this.server = server;
		this.keepAliveFields = new KeepAliveFields(server.policy());
	}

	@Override
	public Request customize(Request request, HttpFields.Mutable responseHeaders) {
		// an HttpConfiguration may be shared by several connectors, each with its own
		// customizer
		if (request.getConnectionMetaData().getConnector() != this.connector) {
			return request;
		}
		JettyTrackedConnection connection = this.tracker
			.get(request.getConnectionMetaData().getConnection().getEndPoint());
		HttpVersion version = request.getConnectionMetaData().getHttpVersion();
		if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
			// HTTP/2 and HTTP/3 have no connection-specific headers: only count the
			// response
			request.addHttpStreamWrapper((stream) -> new CountingHttpStream(stream, connection, this.server));
			return request;
		}
		// Jetty applies the wrapper at once, so the exchange begins now
		request.addHttpStreamWrapper(
				(stream) -> KeepAliveHttpStream.begin(stream, request, connection, this.server, this.keepAliveFields));
		return request;
	}

	/**
	 * Counts the response of an HTTP/2 (or HTTP/3) stream when it is committed.
	 */
	private static final class CountingHttpStream extends HttpStream.Wrapper {

		private final @Nullable JettyTrackedConnection connection;

		private final ServerConnections server;

		CountingHttpStream(HttpStream wrapped, @Nullable JettyTrackedConnection connection, ServerConnections server) {
			super(wrapped);
			this.connection = connection;
			this.server = server;
		}

		@Override
		public void prepareResponse(HttpFields.Mutable headers) {
			super.prepareResponse(headers);
			this.server.responseCommitted(this.connection);
		}

	}

}
