package dev.keepalive.client;

import java.time.Duration;

import dev.keepalive.client.RawHttpServer.Mode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@code keepalive.client.retry-stale} against a raw-socket server that reads a request
 * on a reused connection and closes without a byte of response: idempotent requests are
 * retried once on a fresh connection and counted, a POST fails with the library's own
 * error, and a failure on a fresh connection is not retried.
 */
class StaleConnectionRetryTests {

	private static final Duration LONG_IDLE = Duration.ofSeconds(30);

	@ParameterizedTest(name = "{0}")
	@EnumSource(names = { "HTTP_COMPONENTS_REST_CLIENT", "HTTP_COMPONENTS_WEB_CLIENT", "JETTY_REST_CLIENT",
			"JETTY_REST_TEMPLATE", "REACTOR_REST_CLIENT", "REACTOR_REST_TEMPLATE", "REACTOR_WEB_CLIENT" })
	void idempotentRequestFailingOnReusedConnectionBeforeResponseIsRetriedOnceOnFreshConnection(ClientKind kind)
			throws Exception {
		try (ClientApp app = ClientApp.start(kind)) {
			for (String method : retriedMethods(kind)) {
				// A server of its own per method: the warm-up GET leaves one pooled
				// connection
				try (RawHttpServer server = new RawHttpServer(Mode.CLOSE_REUSED, LONG_IDLE, null)) {
					assertThat(app.get(server.url("/warm-up"))).isEqualTo("ok GET /warm-up HTTP/1.1");
					double retries = app.retries();
					app.awaitPooled(server);
					String body = app.send(method, server.url("/on-reused"), method.equals("PUT") ? "put" : null);
					assertThat(body).isEqualTo("ok " + method + " /on-reused HTTP/1.1");
					// dropped on the reused connection, then served on a new connection
					assertThat(server.requests()).as(server.events()).isEqualTo(3);
					assertThat(server.connections()).as(server.events()).isEqualTo(2);
					assertThat(app.retries()).as(method).isEqualTo(retries + 1);
				}
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource({ "HTTP_COMPONENTS_REST_CLIENT, apache-httpclient", "JETTY_REST_CLIENT, jetty",
			"REACTOR_REST_CLIENT, reactor-netty" })
	void headAndOptionsAreRetriedAndCountedByClientAndMethod(ClientKind kind, String client) throws Exception {
		try (ClientApp app = ClientApp.start(kind)) {
			for (String method : new String[] { "HEAD", "OPTIONS" }) {
				try (RawHttpServer server = new RawHttpServer(Mode.CLOSE_REUSED, LONG_IDLE, null)) {
					assertThat(app.get(server.url("/warm-up"))).isEqualTo("ok GET /warm-up HTTP/1.1");
					app.awaitPooled(server);
					String body = app.send(method, server.url("/on-reused"), null);
					assertThat(body).isEqualTo(method.equals("HEAD") ? null : "ok OPTIONS /on-reused HTTP/1.1");
					assertThat(server.requests()).as(server.events()).isEqualTo(3);
					assertThat(server.connections()).as(server.events()).isEqualTo(2);
					assertThat(app.retries(client, method)).as(method).isEqualTo(1);
				}
			}
			assertThat(app.retries(client, "GET")).isZero();
		}
	}

	@ParameterizedTest(name = "{0}")
	@EnumSource(names = { "HTTP_COMPONENTS_REST_CLIENT", "HTTP_COMPONENTS_WEB_CLIENT", "JETTY_REST_CLIENT",
			"REACTOR_REST_CLIENT", "REACTOR_WEB_CLIENT" })
	void postFailingOnReusedConnectionIsNotRetriedAndFailsWithLibraryError(ClientKind kind) throws Exception {
		try (RawHttpServer server = new RawHttpServer(Mode.CLOSE_REUSED, LONG_IDLE, null);
				ClientApp app = ClientApp.start(kind)) {
			app.get(server.url("/warm-up"));
			app.awaitPooled(server);
			Throwable failure = catchThrowable(() -> app.post(server.url("/on-reused"), "not twice"));
			assertThat(failure).isNotNull();
			assertThat(rootCause(failure).getClass().getName()).isEqualTo(libraryError(kind));
			assertThat(server.requests()).isEqualTo(2);
			assertThat(server.connections()).isEqualTo(1);
			assertThat(app.retries()).isZero();
		}
	}

	@ParameterizedTest(name = "{0}")
	@EnumSource(names = { "HTTP_COMPONENTS_REST_CLIENT", "HTTP_COMPONENTS_WEB_CLIENT", "JETTY_REST_CLIENT",
			"REACTOR_REST_CLIENT", "REACTOR_WEB_CLIENT" })
	void requestFailingOnFreshConnectionIsNotRetried(ClientKind kind) throws Exception {
		try (RawHttpServer server = new RawHttpServer(Mode.CLOSE_ALWAYS, LONG_IDLE, null);
				ClientApp app = ClientApp.start(kind)) {
			Throwable failure = catchThrowable(() -> app.get(server.url("/on-fresh")));
			assertThat(failure).isNotNull();
			assertThat(rootCause(failure).getClass().getName()).isEqualTo(libraryError(kind));
			assertThat(server.requests()).isEqualTo(1);
			assertThat(server.connections()).isEqualTo(1);
			assertThat(app.retries()).isZero();
		}
	}

	// Apache HttpClient's own default strategy then applies (it retries idempotent
	// methods)
	@ParameterizedTest(name = "{0}")
	@EnumSource(names = { "JETTY_REST_CLIENT", "REACTOR_REST_CLIENT", "REACTOR_WEB_CLIENT" })
	void noRetryWhenRetryStaleIsOff(ClientKind kind) throws Exception {
		try (RawHttpServer server = new RawHttpServer(Mode.CLOSE_REUSED, LONG_IDLE, null);
				ClientApp app = ClientApp.start(kind, "keepalive.client.retry-stale=false")) {
			app.get(server.url("/warm-up"));
			app.awaitPooled(server);
			Throwable failure = catchThrowable(() -> app.send("PUT", server.url("/on-reused"), "put"));
			assertThat(failure).as("the request on the reused connection fails").isNotNull();
			assertThat(rootCause(failure).getClass().getName()).isEqualTo(libraryError(kind));
			// both requests went over the one pooled connection, and nothing tried again
			assertThat(server.connections()).isEqualTo(1);
			assertThat(server.requests()).isEqualTo(2);
			assertThat(app.retries()).isZero();
		}
	}

	@ParameterizedTest(name = "{0}")
	@EnumSource(names = "HTTP_COMPONENTS_REST_CLIENT")
	void httpClientWithRetryStaleOffKeepsItsOwnRetryStrategy(ClientKind kind) throws Exception {
		try (RawHttpServer server = new RawHttpServer(Mode.CLOSE_REUSED, LONG_IDLE, null);
				ClientApp app = ClientApp.start(kind, "keepalive.client.retry-stale=false")) {
			app.get(server.url("/warm-up"));
			app.awaitPooled(server);
			// HttpClient's default strategy sends the GET again, on a fresh connection,
			// and Keepalive counts nothing
			assertThat(app.get(server.url("/on-reused"))).isEqualTo("ok GET /on-reused HTTP/1.1");
			assertThat(server.requests()).as(server.events()).isEqualTo(3);
			assertThat(server.connections()).as(server.events()).isEqualTo(2);
			assertThat(app.retries()).isZero();
		}
	}

	@ParameterizedTest(name = "{0}")
	@EnumSource(names = "JETTY_WEB_CLIENT")
	void jettyOnWebClientIsNotRetried(ClientKind kind) throws Exception {
		try (RawHttpServer server = new RawHttpServer(Mode.CLOSE_REUSED, LONG_IDLE, null);
				ClientApp app = ClientApp.start(kind)) {
			app.get(server.url("/warm-up"));
			app.awaitPooled(server);
			Throwable failure = catchThrowable(() -> app.get(server.url("/on-reused")));
			assertThat(failure).as("the GET on the reused connection fails").isNotNull();
			assertThat(server.requests()).as(server.events()).isEqualTo(2);
			assertThat(server.connections()).as(server.events()).isEqualTo(1);
			assertThat(app.retries()).isZero();
		}
	}

	private static String[] retriedMethods(ClientKind kind) {
		// Spring's reactive request body is not repeatable, and HttpClient does not retry
		// a request whose body it cannot send again
		return (kind == ClientKind.HTTP_COMPONENTS_WEB_CLIENT) ? new String[] { "GET", "DELETE" }
				: new String[] { "GET", "PUT", "DELETE" };
	}

	private static String libraryError(ClientKind kind) {
		if (kind == ClientKind.HTTP_COMPONENTS_WEB_CLIENT) {
			return "org.apache.hc.core5.http.ConnectionClosedException";
		}
		return switch (kind.library()) {
			case "Apache HttpClient" -> "org.apache.hc.core5.http.NoHttpResponseException";
			case "Reactor Netty" -> "reactor.netty.http.client.PrematureCloseException";
			case "Jetty client" -> "java.io.EOFException";
			default -> throw new IllegalArgumentException(kind.library());
		};
	}

	private static Throwable rootCause(Throwable failure) {
		Throwable root = failure;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root;
	}

}
