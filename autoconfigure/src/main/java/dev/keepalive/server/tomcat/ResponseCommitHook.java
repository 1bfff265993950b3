package dev.keepalive.server.tomcat;

import java.lang.reflect.Field;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ServerConnections;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.coyote.ActionCode;
import org.apache.coyote.ActionHook;
import org.apache.coyote.Response;

/**
 * Sits between a coyote {@link Response} and its processor to decide the connection
 * headers at the moment the response is committed.
 * <p>
 * {@code Http11Processor.prepareResponse()} is final, so it cannot be overridden; the
 * response's action hook (a package-private field, replaced once per processor by
 * reflection; Tomcat's module is open) is the one place that every keep-alive commit
 * passes through. When the connection must close, the hook turns Tomcat's own keep-alive
 * decision off; otherwise it adds {@code Keep-Alive: timeout=N} when Tomcat will keep the
 * connection open. The request is never touched.
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

	/**
	 * Whether commits can be intercepted; if not, Tomcat keeps its own connection
	 * headers.
	 */
	static boolean isAvailable() {
		return HOOK_FIELD != null;
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
			beforeCommit();
		}
		this.processor.action(actionCode, param);
	}

	private void beforeCommit() {
		ServerConnections server = this.protocol.serverConnections();
		if (server == null || this.response.getStatus() == 101) {
			return;
		}
		server.responseCommitted();
		TomcatTrackedConnection connection = this.protocol.tracked(this.processor.socketWrapper());
		long requests = (connection != null) ? connection.responseCommitted() : 0;
		CloseReason reason = server.closeReason(connection, requests, this.protocol.getMaxKeepAliveRequests());
		if (reason != null) {
			if (connection != null) {
				connection.closingFor(reason);
			}
			this.processor.closeAfterResponse();
			return;
		}
		String keepAlive = this.protocol.keepAliveHeaderValue();
		if (keepAlive != null && this.processor.keepsAlive()) {
			this.response.getMimeHeaders().setValue("Keep-Alive").setString(keepAlive);
		}
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
