package dev.keepalive.server.tomcat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.util.HashSet;
import java.util.Set;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionPolicy;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.coyote.ActionCode;
import org.apache.coyote.ActionHook;
import org.apache.coyote.Request;
import org.apache.coyote.Response;
import org.apache.tomcat.util.http.MimeHeaders;
import org.apache.tomcat.util.http.parser.TokenList;

/**
 * Sits between a coyote {@link Response} and its processor to decide the connection
 * headers at the moment the response is committed.
 * <p>
 * {@code Http11Processor.prepareResponse()} is final, so it cannot be overridden; the
 * response's action hook (a package-private field, replaced once per processor by
 * reflection; Tomcat's module is open) is the one place that every keep-alive commit
 * passes through. When the connection must close, the hook adds {@code Connection:
 * close}. Otherwise it lends the request a {@code keep-alive} token for the duration of
 * the commit, which makes Tomcat itself emit {@code Keep-Alive: timeout=N} exactly when
 * its own final decision is to keep the connection; the application never sees the token.
 */
final class ResponseCommitHook implements ActionHook {

	private static final Log logger = LogFactory.getLog(ResponseCommitHook.class);

	private static final Field HOOK_FIELD = hookField();

	private final KeepAliveHttp11Processor processor;

	private final KeepAliveHttp11NioProtocol protocol;

	private final Response response;

	private ResponseCommitHook(KeepAliveHttp11Processor processor, KeepAliveHttp11NioProtocol protocol,
			Response response) {
		this.processor = processor;
		this.protocol = protocol;
		this.response = response;
	}

	static void install(KeepAliveHttp11Processor processor, KeepAliveHttp11NioProtocol protocol) {
		if (HOOK_FIELD == null) {
			return;
		}
		Response response = processor.getRequest().getResponse();
		try {
			// Response.recycle() keeps the hook for HTTP/1.1, so once per processor is
			// enough
			HOOK_FIELD.set(response, new ResponseCommitHook(processor, protocol, response));
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void action(ActionCode actionCode, Object param) {
		if (!this.response.isCommitted() && (actionCode == ActionCode.COMMIT || actionCode == ActionCode.CLOSE
				|| actionCode == ActionCode.CLIENT_FLUSH)) {
			int lentToken = beforeCommit();
			try {
				this.processor.action(actionCode, param);
			}
			finally {
				if (lentToken >= 0) {
					this.response.getRequest().getMimeHeaders().removeHeader(lentToken);
				}
			}
		}
		else {
			this.processor.action(actionCode, param);
		}
	}

	/**
	 * Decide the connection headers; return the index of the request header lent for the
	 * commit, or -1.
	 */
	private int beforeCommit() {
		ConnectionPolicy policy = this.protocol.policy();
		if (policy == null || this.response.getStatus() == 101) {
			return -1;
		}
		policy.responseCommitted();
		TomcatTrackedConnection connection = this.protocol.tracked(this.processor.socketWrapper());
		long requests = (connection != null) ? connection.responseCommitted() : 0;
		CloseReason reason = policy.closeReason(connection, requests, this.protocol.getMaxKeepAliveRequests());
		if (reason != null) {
			if (connection != null) {
				connection.closingFor(reason);
			}
			MimeHeaders headers = this.response.getMimeHeaders();
			if (!hasConnectionToken(headers, "close")) {
				headers.addValue("Connection").setString("close");
			}
			return -1;
		}
		Request request = this.response.getRequest();
		MimeHeaders requestHeaders = request.getMimeHeaders();
		if (!policy.settings().advertiseIdleTimeout() || !"HTTP/1.1".equals(request.protocol().toString())
				|| hasConnectionToken(requestHeaders, "keep-alive")) {
			return -1;
		}
		int index = requestHeaders.size();
		requestHeaders.addValue("Connection").setString("keep-alive");
		return index;
	}

	private static boolean hasConnectionToken(MimeHeaders headers, String token) {
		if (headers.getValue("Connection") == null) {
			return false;
		}
		Set<String> tokens = new HashSet<>();
		try {
			TokenList.parseTokenList(headers.values("Connection"), tokens);
		}
		catch (IOException ex) {
			return false;
		}
		return tokens.contains(token);
	}

	private static Field hookField() {
		try {
			Field field = Response.class.getDeclaredField("hook");
			field.setAccessible(true);
			return field;
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.warn("Keepalive cannot intercept Tomcat's response commit (" + ex
					+ "): responses keep Tomcat's own Connection and Keep-Alive headers");
			return null;
		}
	}

}
