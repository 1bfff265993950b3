package dev.keepalive.server.jetty;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.RequestBodyRate;
import dev.keepalive.server.ServerConnections;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.jspecify.annotations.Nullable;

/**
 * The stream of one HTTP/1.x exchange, and the exchange as its connection tracks it.
 * {@link #prepareResponse} is the one place every response commit passes through (Jetty's
 * own error pages included) while the headers can still change, and the generator reads
 * them right after it. Completion ends the exchange for tracking. Reads of the request
 * body are timed for its {@link RequestBodyRate}.
 */
final class KeepAliveHttpStream extends HttpStream.Wrapper {

	private static final HttpField CHUNKED = new PreEncodedHttpField(HttpHeader.TRANSFER_ENCODING,
			HttpHeaderValue.CHUNKED.asString());

	private final Request request;

	private final @Nullable JettyTrackedConnection connection;

	private final ServerConnections server;

	private final KeepAliveFields keepAliveFields;

	private volatile boolean committedKeepAlive;

	private volatile boolean contentComplete;

	private volatile boolean completed;

	/** The handler returned before the response completed. */
	private volatile boolean async;

	private KeepAliveHttpStream(HttpStream wrapped, Request request, @Nullable JettyTrackedConnection connection,
			ServerConnections server, KeepAliveFields keepAliveFields) {
		super(wrapped);
		this.request = request;
		this.connection = connection;
		this.server = server;
		this.keepAliveFields = keepAliveFields;
	}

	/**
	 * Wrap a request's stream and begin its exchange on the connection: one object per
	 * request for both.
	 */
	static KeepAliveHttpStream begin(HttpStream wrapped, Request request, @Nullable JettyTrackedConnection connection,
			ServerConnections server, KeepAliveFields keepAliveFields) {
		KeepAliveHttpStream stream = new KeepAliveHttpStream(wrapped, request, connection, server, keepAliveFields);
		if (connection != null) {
			connection.requestBodyRate().requestStarted();
			connection.beginExchange(stream);
		}
		return stream;
	}

	/**
	 * The handler has returned: unless the response is complete, the exchange goes on
	 * with no thread on it.
	 */
	void handlerReturned() {
		if (!this.completed) {
			this.async = true;
		}
	}

	boolean isAsync() {
		return this.async;
	}

	@Override
	public Content.Chunk read() {
		RequestBodyRate rate = bodyRate();
		Content.Chunk chunk = super.read();
		if (chunk != null && chunk.isLast()) {
			this.contentComplete = true;
		}
		if (rate != null) {
			timeRead(rate, chunk);
		}
		return chunk;
	}

	private @Nullable RequestBodyRate bodyRate() {
		return (this.connection != null && this.server.policy().settings().minRequestBodyRate() > 0)
				? this.connection.requestBodyRate() : null;
	}

	/**
	 * No chunk: the application demands more and waits for the client, until a chunk with
	 * bytes (or the end) arrives.
	 */
	private static void timeRead(RequestBodyRate rate, Content.@Nullable Chunk chunk) {
		long now = System.nanoTime();
		if (chunk == null) {
			rate.awaiting(now);
			return;
		}
		rate.read(chunk.remaining(), now);
		if (chunk.isLast() || Content.Chunk.isFailure(chunk)) {
			rate.read(-1, now);
		}
	}

	@Override
	public void prepareResponse(HttpFields.Mutable headers) {
		super.prepareResponse(headers);
		this.server.responseCommitted(this.connection);
		this.committedKeepAlive = decide(headers);
	}

	/**
	 * Set the connection headers; return whether the connection stays open.
	 */
	private boolean decide(HttpFields.Mutable headers) {
		int present = PresentFields.in(headers);
		if ((present & PresentFields.UPGRADE) != 0) {
			return false;
		}
		ConnectionMetaData metaData = this.request.getConnectionMetaData();
		Integer maxRequests = this.server.policy().settings().maxRequestsPerConnection();
		CloseReason reason = this.server.closeReason(this.connection, metaData.getConnection().getMessagesIn(),
				(maxRequests != null) ? maxRequests : 0);
		// isPersistent() already reflects the request's own Connection header, HTTP/1.0
		// without keep-alive and an unread body; a shut down connector closes too.
		boolean closing = ((present & PresentFields.CONNECTION) != 0
				&& headers.contains(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString()))
				|| !metaData.isPersistent() || metaData.getConnector().isShutdown();
		if (closing && reason != CloseReason.DRAIN_AFTER_RESPONSE) {
			headers.remove(HttpHeader.KEEP_ALIVE);
			return false;
		}
		if (reason != null) {
			if (this.connection != null) {
				this.connection.closingFor(reason);
			}
			// put, not add: replaces the "keep-alive" Jetty sets for HTTP/1.0
			headers.put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
			headers.remove(HttpHeader.KEEP_ALIVE);
			keepChunkedFraming(headers);
			return false;
		}
		if (!promisesKeepAlive(metaData, present)) {
			return false;
		}
		HttpField keepAlive = this.keepAliveFields.get();
		if (keepAlive != null) {
			// put() searches through an iterator a wrapper allocates: only when needed
			if ((present & PresentFields.KEEP_ALIVE) != 0) {
				headers.put(keepAlive);
			}
			else {
				headers.add(keepAlive);
			}
		}
		return true;
	}

	/**
	 * Jetty ends a closing response of unknown length by closing the connection, which a
	 * client cannot tell from a cut one; its own hint keeps it chunked. The hint is only
	 * sent on HTTP/1.1 responses that Jetty actually chunks (not on those without a
	 * body).
	 */
	private static void keepChunkedFraming(HttpFields.Mutable headers) {
		if (!headers.contains(HttpHeader.CONTENT_LENGTH) && !headers.contains(HttpHeader.TRANSFER_ENCODING)) {
			headers.put(CHUNKED);
		}
	}

	private boolean promisesKeepAlive(ConnectionMetaData metaData, int responseFields) {
		// HTTP/1.0 without a length is framed by closing the connection, a final
		// response to an unanswered "Expect: 100-continue" is made non-persistent after
		// this point, and so is one whose request body Jetty cannot consume after it:
		// don't promise keep-alive in any of these cases.
		if (metaData.getHttpVersion() == HttpVersion.HTTP_1_0 && (responseFields & PresentFields.CONTENT_LENGTH) == 0) {
			return false;
		}
		HttpFields requestHeaders = this.request.getHeaders();
		int requestFields = PresentFields.in(requestHeaders);
		return !((requestFields & PresentFields.EXPECT) != 0
				&& requestHeaders.contains(HttpHeader.EXPECT, HttpHeaderValue.CONTINUE.asString()))
				&& requestContentComplete(requestFields);
	}

	/**
	 * Whether the request has no body or its body has been read to the end: whether the
	 * rest would arrive in time for Jetty to consume it is not known when the response is
	 * committed.
	 */
	private boolean requestContentComplete(int requestFields) {
		if (this.contentComplete) {
			return true;
		}
		long length = this.request.getLength();
		if (length < 0) {
			return (requestFields & PresentFields.TRANSFER_ENCODING) == 0;
		}
		return Request.getContentBytesRead(this.request) >= length;
	}

	@Override
	public void succeeded() {
		if (this.committedKeepAlive && this.server.closesAfterExchange()) {
			closeAfterCommittedKeepAlive();
		}
		endExchange();
		super.succeeded();
	}

	@Override
	public void failed(Throwable failure) {
		endExchange();
		super.failed(failure);
	}

	/**
	 * The response went out promising keep-alive before the drain began: end the
	 * connection right after it. Both steps are needed: the half-close gives the client
	 * EOF after the body, and a non-persistent generator stops Jetty from parsing and
	 * running a request the client may already have sent.
	 */
	private void closeAfterCommittedKeepAlive() {
		Connection connection = this.request.getConnectionMetaData().getConnection();
		if (this.request.getAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE) instanceof Connection) {
			return;
		}
		if (this.connection != null) {
			this.connection.closingFor(CloseReason.DRAIN_AFTER_RESPONSE);
		}
		connection.getEndPoint().shutdownOutput();
		if (connection instanceof HttpConnection httpConnection) {
			httpConnection.getGenerator().setPersistent(false);
		}
	}

	private void endExchange() {
		this.completed = true;
		if (this.connection != null) {
			this.connection.requestBodyRate().requestEnded();
			this.connection.endExchange(this);
		}
	}

}
