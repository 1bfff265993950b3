package dev.keepalive.server.jetty;

import java.util.function.Function;

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
		this.keepAliveFields = new KeepAliveFields(server.policy(), connector, tracker.connections().pressure());
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
		request.addHttpStreamWrapper(new Http1StreamWrapper(this, request, connection));
		return request;
	}

	/**
	 * Wraps an HTTP/1.x request's stream. A record rather than a lambda: the same one
	 * object per request, made by a plain {@code new} whether or not the JIT has compiled
	 * the call (interpreted, a capturing lambda goes through method handles that allocate
	 * more).
	 */
	private record Http1StreamWrapper(KeepAliveRequestCustomizer customizer, Request request,
			@Nullable JettyTrackedConnection connection) implements Function<HttpStream, HttpStream> {

		@Override
		public HttpStream apply(HttpStream stream) {
			return KeepAliveHttpStream.begin(stream, this.request, this.connection, this.customizer.server,
					this.customizer.keepAliveFields);
		}

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
