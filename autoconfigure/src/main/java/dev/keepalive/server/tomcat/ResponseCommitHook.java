package dev.keepalive.server.tomcat;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ServerConnections;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.coyote.ActionCode;
import org.apache.coyote.ActionHook;
import org.apache.coyote.Response;
import org.apache.tomcat.util.buf.MessageBytes;
import org.apache.tomcat.util.http.MimeHeaders;

/**
 * Sits between a coyote {@link Response} and its processor to act at the moment the
 * response is committed.
 * <p>
 * {@code Http11Processor.prepareResponse()} is final, so it cannot be overridden; the
 * response's action hook (a package-private field, replaced by reflection; Tomcat's
 * module is open) is the one place that every commit passes through. On HTTP/1.1 it
 * decides the connection headers: when the connection must close, it turns Tomcat's own
 * keep-alive decision off; otherwise it adds {@code Keep-Alive: timeout=N} when Tomcat
 * will keep the connection open. The request is never touched. On HTTP/2 it counts the
 * response.
 */
final class ResponseCommitHook implements ActionHook {

	private static final Log logger = LogFactory.getLog(ResponseCommitHook.class);

	private static final Field HOOK_FIELD = hookField();

	private static final String KEEP_ALIVE = "Keep-Alive";

	private static final byte[] KEEP_ALIVE_BYTES = KEEP_ALIVE.getBytes(StandardCharsets.ISO_8859_1);

	private final ActionHook processor;

	private final Response response;

	private final Runnable beforeCommit;

	private final Runnable afterClose;

	private ResponseCommitHook(ActionHook processor, Response response, Runnable beforeCommit, Runnable afterClose) {
		this.processor = processor;
		this.response = response;
		this.beforeCommit = beforeCommit;
		this.afterClose = afterClose;
	}

	/**
	 * Whether commits can be intercepted; if not, Tomcat keeps its own connection
	 * headers.
	 */
	static boolean isAvailable() {
		return HOOK_FIELD != null;
	}

	/**
	 * Decide the connection headers of an HTTP/1.1 processor's responses.
	 */
	static void install(KeepAliveHttp11Processor processor, KeepAliveHttp11NioProtocol protocol) {
		// Response.recycle() keeps the hook for HTTP/1.1, so once per processor is enough
		Response response = processor.getRequest().getResponse();
		install(response, () -> decideConnection(processor, protocol, response), processor::responseFinished);
	}

	/**
	 * Count an HTTP/2 stream's response; the stream's processor has just become the
	 * response's hook.
	 */
	static void countCommit(Response response, ServerConnections server, TomcatTrackedConnection connection) {
		install(response, () -> server.responseCommitted(connection), () -> {
		});
	}

	private static void install(Response response, Runnable beforeCommit, Runnable afterClose) {
		if (HOOK_FIELD == null) {
			return;
		}
		try {
			ActionHook processor = (ActionHook) HOOK_FIELD.get(response);
			HOOK_FIELD.set(response, new ResponseCommitHook(processor, response, beforeCommit, afterClose));
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void action(ActionCode actionCode, Object param) {
		// the action first: Tomcat asks its hook for many actions per request, few commit
		if ((actionCode == ActionCode.COMMIT || actionCode == ActionCode.CLOSE || actionCode == ActionCode.CLIENT_FLUSH)
				&& !this.response.isCommitted()) {
			this.beforeCommit.run();
		}
		this.processor.action(actionCode, param);
		if (actionCode == ActionCode.CLOSE) {
			this.afterClose.run();
		}
	}

	private static void decideConnection(KeepAliveHttp11Processor processor, KeepAliveHttp11NioProtocol protocol,
			Response response) {
		ServerConnections server = protocol.serverConnections();
		if (server == null || response.getStatus() == 101) {
			return;
		}
		TomcatTrackedConnection connection = protocol.tracked(processor.socketWrapper());
		server.responseCommitted(connection);
		long requests = (connection != null) ? connection.responseCommitted(response) : 0;
		CloseReason reason = server.closeReason(connection, requests, protocol.getMaxKeepAliveRequests());
		if (reason != null) {
			if (connection != null) {
				connection.closingFor(reason);
			}
			processor.closeAfterResponse();
			return;
		}
		byte[] keepAlive = protocol.keepAliveHeaderValue();
		if (keepAlive != null && processor.keepsAlive()) {
			setKeepAlive(response.getMimeHeaders(), keepAlive);
		}
	}

	/**
	 * Set the header as bytes, name and value: Tomcat writes those as they are, where it
	 * would encode a String anew for every response.
	 */
	private static void setKeepAlive(MimeHeaders headers, byte[] value) {
		MessageBytes field = (headers.getValue(KEEP_ALIVE) != null) ? headers.setValue(KEEP_ALIVE)
				: headers.addValue(KEEP_ALIVE_BYTES, 0, KEEP_ALIVE_BYTES.length);
		field.setBytes(value, 0, value.length);
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
