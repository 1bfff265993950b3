package dev.keepalive.server.jetty;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionPolicy;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;

/**
 * The stream of one HTTP/1.x exchange. {@link #prepareResponse} is the one place every
 * response commit passes through (Jetty's own error pages included) while the headers can
 * still change, and the generator reads them right after it.
 */
final class KeepAliveHttpStream extends HttpStream.Wrapper {

	private final Request request;

	private final ConnectionPolicy policy;

	KeepAliveHttpStream(HttpStream wrapped, Request request, ConnectionPolicy policy) {
		super(wrapped);
		this.request = request;
		this.policy = policy;
	}

	@Override
	public void prepareResponse(HttpFields.Mutable headers) {
		super.prepareResponse(headers);
		if (headers.contains(HttpHeader.UPGRADE)) {
			return;
		}
		ConnectionMetaData metaData = this.request.getConnectionMetaData();
		// isPersistent() already reflects the request's own Connection header, HTTP/1.0
		// without keep-alive and an unread body; a shut down connector closes too.
		if (headers.contains(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString()) || !metaData.isPersistent()
				|| metaData.getConnector().isShutdown()) {
			headers.remove(HttpHeader.KEEP_ALIVE);
			return;
		}
		Connection connection = metaData.getConnection();
		CloseReason reason = this.policy.closeReason(connection.getMessagesIn());
		if (reason != null) {
			// put, not add: replaces the "keep-alive" Jetty sets for HTTP/1.0
			headers.put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
			headers.remove(HttpHeader.KEEP_ALIVE);
			return;
		}
		if (willStayOpen(metaData, headers)) {
			String keepAlive = this.policy.keepAliveHeaderValue(idleTimeout(metaData));
			if (keepAlive != null) {
				headers.put(HttpHeader.KEEP_ALIVE, keepAlive);
			}
		}
	}

	private boolean willStayOpen(ConnectionMetaData metaData, HttpFields.Mutable headers) {
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

}
