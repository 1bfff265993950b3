package dev.keepalive.server;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests at and beyond the servers' limits, and the cases where a server closes a
 * connection on its own, answered the way plain Spring Boot answers them: same status,
 * same framing, same connection ending; {@code Keep-Alive} only where the connection
 * really stays open; and no error logged by Keepalive.
 */
@ExtendWith(OutputCaptureExtension.class)
class PlainSpringBootParityTests {

	private static final Map<ServerKind, TestApp> plain = new EnumMap<>(ServerKind.class);

	private static final Map<ServerKind, TestApp> starter = new EnumMap<>(ServerKind.class);

	@BeforeAll
	static void start() {
		for (ServerKind server : List.of(ServerKind.TOMCAT, ServerKind.JETTY)) {
			plain.put(server, TestApp.start(server, "keepalive.enabled=false"));
			starter.put(server, TestApp.start(server));
		}
	}

	@AfterAll
	static void stop() {
		plain.values().forEach(TestApp::close);
		starter.values().forEach(TestApp::close);
	}

	static Stream<Arguments> requests() {
		return Stream.of(ServerKind.TOMCAT, ServerKind.JETTY)
			.flatMap((server) -> Stream.of(Arguments.of(server, "99 headers", get(99)),
					Arguments.of(server, "100 headers", get(100)), Arguments.of(server, "101 headers", get(101)),
					Arguments.of(server, "500 headers", get(500)),
					Arguments.of(server, "half-close", "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"),
					Arguments.of(server, "unread chunked body",
							"POST /ignore HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
									+ "5\r\nhello\r\n0\r\n\r\n"),
					Arguments.of(server, "unread body beyond what is swallowed",
							"POST /ignore HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3000000\r\n\r\nhello"),
					Arguments.of(server, "refused 100-continue",
							"POST /missing HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
									+ "Content-Length: 5\r\n\r\n"),
					Arguments.of(server, "HTTP/1.0", "GET /hello HTTP/1.0\r\nHost: localhost\r\n\r\n"),
					Arguments.of(server, "HTTP/1.0 keep-alive",
							"GET /hello HTTP/1.0\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n"),
					Arguments.of(server, "HTTP/1.0 keep-alive stream",
							"GET /stream?chunks=2&delayMs=1 HTTP/1.0\r\nHost: localhost\r\n"
									+ "Connection: keep-alive\r\n\r\n"),
					Arguments.of(server, "malformed header", "GET /hello HTTP/1.1\r\nHost: localhost\r\nBad\r\n\r\n"),
					Arguments.of(server, "request line too long",
							"GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n"),
					Arguments.of(server, "server error", "GET /work?ms=x HTTP/1.1\r\nHost: localhost\r\n\r\n")));
	}

	@ParameterizedTest(name = "{0}: {1}")
	@MethodSource("requests")
	void answersLikePlainSpringBootAndAdvertisesKeepAliveOnlyWhenTheConnectionStaysOpen(ServerKind server, String name,
			String request, CapturedOutput output) throws Exception {
		int start = output.length();
		Outcome expected = send(plain.get(server), request, name.equals("half-close"));
		int middle = output.length();
		Outcome actual = send(starter.get(server), request, name.equals("half-close"));
		String plainLog = output.toString().substring(start, middle);
		String starterLog = output.toString().substring(middle);
		assertThat(actual.status()).as("status").isEqualTo(expected.status());
		assertThat(actual.framing()).as("framing").isEqualTo(expected.framing());
		assertThat(actual.closed()).as("closed after the response").isEqualTo(expected.closed());
		// A client that half-closes after its request has said that it sends nothing
		// more; neither server reads that before it answers (it would cost a read on
		// every response), so Keep-Alive is allowed there.
		if (actual.keepAlive() && !name.equals("half-close")) {
			assertThat(actual.closed()).as("closed after advertising Keep-Alive").isFalse();
		}
		// the servers log what they log; Keepalive adds nothing
		assertThat(errorsAndWarnings(starterLog)).isEqualTo(errorsAndWarnings(plainLog));
	}

	private static long errorsAndWarnings(String log) {
		return log.lines().filter((line) -> line.contains(" ERROR ") || line.contains(" WARN ")).count();
	}

	private static String get(int headers) {
		StringBuilder request = new StringBuilder("GET /hello HTTP/1.1\r\nHost: localhost\r\n");
		for (int i = 1; i < headers; i++) {
			request.append("X-Header-").append(i).append(": ").append(i).append("\r\n");
		}
		return request.append("\r\n").toString();
	}

	private static Outcome send(TestApp app, String request, boolean halfClose) throws IOException {
		try (RawHttpConnection connection = app.connect()) {
			connection.send(request);
			if (halfClose) {
				connection.socket().shutdownOutput();
			}
			RawHttpResponse response = connection.readResponse();
			while (response.status() == 100) {
				response = connection.readResponse();
			}
			boolean closed = connection.awaitClose(Duration.ofMillis(500)) != Closure.OPEN;
			return new Outcome(response.status(), response.framing(), closed, response.hasHeader("Keep-Alive"));
		}
	}

	private record Outcome(int status, String framing, boolean closed, boolean keepAlive) {

	}

}
