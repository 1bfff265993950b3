package dev.keepalive.server.tomcat;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashSet;
import java.util.Set;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ServerConnections;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.coyote.Adapter;
import org.apache.coyote.Request;
import org.apache.coyote.Response;
import org.apache.coyote.http11.Http11Processor;
import org.apache.tomcat.util.http.MimeHeaders;
import org.apache.tomcat.util.http.parser.TokenList;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler.SocketState;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.jspecify.annotations.Nullable;

/**
 * An {@link Http11Processor} whose keep-alive decision Keepalive can read and overrule at
 * commit time, so that a response that closes its connection keeps Tomcat's own framing
 * ({@code Content-Length} or chunked) and one that stays open says for how long. Also
 * closes its connection after the current exchange once the server stops accepting, even
 * when the response was committed with keep-alive before, and times the application's
 * reads of the request body ({@link BodyRateInputBuffer}), blocking or not.
 * <p>
 * Tomcat keeps its decision in a private field, read and written through a
 * {@link VarHandle} (Tomcat's module is open); {@code prepareResponse()}, which acts on
 * it, is final.
 */
final class KeepAliveHttp11Processor extends Http11Processor {

	private static final Log logger = LogFactory.getLog(KeepAliveHttp11Processor.class);

	private static final @Nullable VarHandle KEEP_ALIVE = keepAliveHandle();

	private final KeepAliveHttp11NioProtocol protocol;

	/**
	 * The connection last looked up, and its socket: one lookup per connection served.
	 */
	private @Nullable SocketWrapperBase<?> timedSocket;

	private @Nullable TomcatTrackedConnection timedConnection;

	KeepAliveHttp11Processor(KeepAliveHttp11NioProtocol protocol, Adapter adapter) {
		super(protocol, adapter);
		this.protocol = protocol;
		this.request.setInputBuffer(new BodyRateInputBuffer(this.request.getInputBuffer(), this));
	}

	/**
	 * The connection whose request body is timed, if a minimum body rate is set.
	 */
	@Nullable TomcatTrackedConnection timedConnection() {
		ServerConnections server = this.protocol.serverConnections();
		if (server == null || server.policy().settings().minRequestBodyRate() <= 0) {
			return null;
		}
		SocketWrapperBase<?> socket = getSocketWrapper();
		if (socket != this.timedSocket) {
			this.timedConnection = this.protocol.tracked(socket);
			this.timedSocket = socket;
		}
		return this.timedConnection;
	}

	/**
	 * The response is complete. A request body the application left unread is swallowed
	 * by Tomcat next, with reads that are not timed: the wait for the client starts here,
	 * and a client sending the rest too slowly has its connection closed (its response is
	 * complete; only keep-alive is lost).
	 */
	void responseFinished() {
		if (!isRequestBodyFullyRead()) {
			TomcatTrackedConnection connection = timedConnection();
			if (connection != null) {
				connection.requestBodyRate().awaiting(System.nanoTime());
			}
		}
	}

	/**
	 * A non-blocking read (a WebFlux application's) asks whether body bytes are there;
	 * when they are not, the application waits for the client from now on, until a read
	 * returns the bytes ({@link BodyRateInputBuffer}).
	 */
	@Override
	protected boolean isReadyForRead() {
		boolean ready = super.isReadyForRead();
		if (!ready && !isRequestBodyFullyRead()) {
			TomcatTrackedConnection connection = timedConnection();
			if (connection != null) {
				connection.requestBodyRate().awaiting(System.nanoTime());
			}
		}
		return ready;
	}

	SocketWrapperBase<?> socketWrapper() {
		return getSocketWrapper();
	}

	/**
	 * Make the response about to be committed close its connection, through Tomcat's own
	 * keep-alive decision: it then says {@code Connection: close} and keeps its framing,
	 * which a {@code Connection: close} header from outside would lose.
	 */
	void closeAfterResponse() {
		if (KEEP_ALIVE != null) {
			KEEP_ALIVE.setVolatile(this, false);
		}
		else {
			getRequest().getResponse().getMimeHeaders().addValue("Connection").setString("close");
		}
	}

	/**
	 * Whether Tomcat will keep the connection open after the response about to be
	 * committed: its own decision so far, and the rules {@code prepareResponse()} and the
	 * end of the request apply to it, so that {@code Keep-Alive} is only sent when it is
	 * true.
	 */
	boolean keepsAlive() {
		if (KEEP_ALIVE == null || !(boolean) KEEP_ALIVE.getVolatile(this) || getErrorState().isError()) {
			return false;
		}
		Request request = getRequest();
		Response response = request.getResponse();
		int status = response.getStatus();
		return !statusDropsConnection(status) && !hasConnectionToken(response.getMimeHeaders(), "close")
				&& isDelimited(request, response, status) && !bodyStopsKeepAlive(request, status);
	}

	/**
	 * Tomcat's list (after Apache httpd) of statuses that close the connection.
	 */
	private static boolean statusDropsConnection(int status) {
		return status == 400 || status == 408 || status == 411 || status == 413 || status == 414 || status == 500
				|| status == 503 || status == 501;
	}

	/**
	 * Whether the client can tell where the body ends without the connection closing:
	 * only HTTP/1.0 responses with a body of unknown length cannot.
	 */
	private static boolean isDelimited(Request request, Response response, int status) {
		boolean entityBody = status >= 200 && status != 204 && status != 205 && status != 304;
		// MessageBytes.equals compares without making a String of the request's bytes
		return !entityBody || request.protocol().equals("HTTP/1.1") || response.getContentLengthLong() != -1
				|| request.method().equals("HEAD");
	}

	/**
	 * Whether an unread request body ends keep-alive: after a refused
	 * {@code Expect: 100-continue}, beyond what Tomcat swallows, or of a length not known
	 * yet (chunked), since whether Tomcat can swallow it is not known either.
	 */
	private boolean bodyStopsKeepAlive(Request request, int status) {
		if (isRequestBodyFullyRead()) {
			return false;
		}
		if (request.hasExpectation() && (status < 200 || status > 299)) {
			return true;
		}
		long contentLength = request.getContentLengthLong();
		int maxSwallowSize = this.protocol.getMaxSwallowSize();
		return contentLength < 0 || (maxSwallowSize > -1 && contentLength - request.getBytesRead() > maxSwallowSize);
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

	@Override
	public SocketState service(SocketWrapperBase<?> socketWrapper) throws IOException {
		return closeIfDraining(super.service(socketWrapper), socketWrapper);
	}

	@Override
	protected SocketState dispatchEndRequest() {
		return closeIfDraining(super.dispatchEndRequest(), getSocketWrapper());
	}

	private SocketState closeIfDraining(SocketState state, SocketWrapperBase<?> socketWrapper) {
		ServerConnections server = this.protocol.serverConnections();
		if (state == SocketState.OPEN && server != null && server.closesAfterExchange()) {
			TomcatTrackedConnection connection = this.protocol.tracked(socketWrapper);
			if (connection != null) {
				connection.closingFor(CloseReason.DRAIN_AFTER_RESPONSE);
			}
			return SocketState.CLOSED;
		}
		return state;
	}

	private static @Nullable VarHandle keepAliveHandle() {
		try {
			return MethodHandles.privateLookupIn(Http11Processor.class, MethodHandles.lookup())
				.findVarHandle(Http11Processor.class, "keepAlive", boolean.class);
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.warn("Keepalive cannot read Tomcat's keep-alive decision (" + ex + "): responses carry no"
					+ " Keep-Alive header, and those it closes lose their chunked framing");
			return null;
		}
	}

}
