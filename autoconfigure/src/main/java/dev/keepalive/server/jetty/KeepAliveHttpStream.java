package dev.keepalive.server.jetty;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionPolicy;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.jspecify.annotations.Nullable;

/**
 * The stream of one HTTP/1.x exchange. {@link #prepareResponse} is the one place every
 * response commit passes through (Jetty's own error pages included) while the headers can
 * still change, and the generator reads them right after it. Completion ends the exchange
 * for tracking.
 */
final class KeepAliveHttpStream extends HttpStream.Wrapper {

	private final Request request;

	private final @Nullable JettyTrackedConnection connection;

	private final JettyTrackedConnection.@Nullable Exchange exchange;

	private final ConnectionPolicy policy;

	private final KeepAliveFields keepAliveFields;

	private volatile boolean committedKeepAlive;

	KeepAliveHttpStream(HttpStream wrapped, Request request, @Nullable JettyTrackedConnection connection,
			JettyTrackedConnection.@Nullable Exchange exchange, ConnectionPolicy policy,
			KeepAliveFields keepAliveFields) {
		super(wrapped);
		this.request = request;
		this.connection = connection;
		this.exchange = exchange;
		this.policy = policy;
		this.keepAliveFields = keepAliveFields;
	}

	@Override
	public void prepareResponse(HttpFields.Mutable headers) {
		super.prepareResponse(headers);
		this.policy.responseCommitted();
		this.committedKeepAlive = decide(headers);
	}

	/**
	 * Set the connection headers; return whether the connection stays open.
	 */
	private boolean decide(HttpFields.Mutable headers) {
		if (headers.contains(HttpHeader.UPGRADE)) {
			return false;
		}
		ConnectionMetaData metaData = this.request.getConnectionMetaData();
		// isPersistent() already reflects the request's own Connection header, HTTP/1.0
		// without keep-alive and an unread body; a shut down connector closes too.
		if (headers.contains(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString()) || !metaData.isPersistent()
				|| metaData.getConnector().isShutdown()) {
			headers.remove(HttpHeader.KEEP_ALIVE);
			return false;
		}
		Connection connection = metaData.getConnection();
		int maxRequests = (this.policy.settings().maxRequestsPerConnection() != null)
				? this.policy.settings().maxRequestsPerConnection() : 0;
		CloseReason reason = this.policy.closeReason(this.connection, connection.getMessagesIn(), maxRequests);
		if (reason != null) {
			if (this.connection != null) {
				this.connection.closingFor(reason);
			}
			// put, not add: replaces the "keep-alive" Jetty sets for HTTP/1.0
			headers.put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
			headers.remove(HttpHeader.KEEP_ALIVE);
			return false;
		}
		if (!promisesKeepAlive(metaData, headers)) {
			return false;
		}
		HttpField keepAlive = this.keepAliveFields.get(this.policy.keepAliveHeaderValue(idleTimeout(metaData)));
		if (keepAlive != null) {
			headers.put(keepAlive);
		}
		return true;
	}

	private boolean promisesKeepAlive(ConnectionMetaData metaData, HttpFields.Mutable headers) {
		// HTTP/1.0 without a length is framed by closing the connection, and a final
		// response to an unanswered "Expect: 100-continue" is made non-persistent after
		// this point: don't promise keep-alive in either case.
		if (metaData.getHttpVersion() == HttpVersion.HTTP_1_0 && !headers.contains(HttpHeader.CONTENT_LENGTH)) {
			return false;
		}
		return !this.request.getHeaders().contains(HttpHeader.EXPECT, HttpHeaderValue.CONTINUE.asString());
	}

	private long idleTimeout(ConnectionMetaData metaData) {
		return (metaData.getConnector() instanceof AbstractConnector connector) ? connector.getIdleTimeout()
				: this.policy.settings().idleTimeout().toMillis();
	}

	@Override
	public void succeeded() {
		if (this.committedKeepAlive && this.policy.isCloseAfterExchange()) {
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
		if (this.connection != null && this.exchange != null) {
			this.connection.endExchange(this.exchange);
		}
	}

}
