package dev.keepalive.server;

import java.time.Duration;

import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestApp;
import dev.keepalive.testsupport.WebStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server side of keep-alive: idle timeout, {@code Keep-Alive} header and max requests
 * per connection, on real Tomcat and Jetty servers, under Spring MVC and WebFlux, checked
 * byte by byte.
 */
@ExtendWith(OutputCaptureExtension.class)
class ServerKeepAliveTests {

	private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void idleKeepAliveConnectionIsClosedByServerAfterIdleTimeoutAndNotBefore(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "keepalive.server.idle-timeout=2s");
				RawHttpConnection connection = app.connect()) {
			assertThat(connection.get("/hello").readResponse().status()).isEqualTo(200);
			long idleSince = System.nanoTime();
			Closure closure = connection.awaitClose(Duration.ofSeconds(10));
			Duration idle = Duration.ofNanos(System.nanoTime() - idleSince);
			assertThat(closure).isEqualTo(Closure.EOF);
			// the server's timers tick about once a second
			assertThat(idle).isBetween(IDLE_TIMEOUT.minusMillis(100), IDLE_TIMEOUT.plusMillis(2500));
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void newConnectionThatSendsNothingIsClosedAfterIdleTimeout(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "keepalive.server.idle-timeout=2s");
				RawHttpConnection connection = app.connect()) {
			long openedAt = System.nanoTime();
			Closure closure = connection.awaitClose(Duration.ofSeconds(10));
			Duration idle = Duration.ofNanos(System.nanoTime() - openedAt);
			assertThat(closure).isEqualTo(Closure.EOF);
			assertThat(idle).isBetween(IDLE_TIMEOUT.minusMillis(100), IDLE_TIMEOUT.plusMillis(2500));
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void requestSlowerThanIdleTimeoutCompletesAndKeepsConnection(ServerKind server, WebStack stack) throws Exception {
		try (TestApp app = TestApp.start(server, stack, "keepalive.server.idle-timeout=1s");
				RawHttpConnection connection = app.connect()) {
			// Jetty's idle timeout also bounds the response's writes, and its timer fires
			// every idle timeout while the handler runs: a handler ending on a whole
			// multiple of it can have its write failed, and the connection closed, by the
			// expiry firing as the write starts (Jetty's own race, not Keepalive's).
			RawHttpResponse response = connection.get("/work?ms=2500").readResponse();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.bodyText()).isEqualTo("worked 2500");
			assertThat(response.connectionClose()).isFalse();
			assertThat(connection.get("/hello").readResponse().status()).isEqualTo(200);
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void keepAliveResponsesAdvertiseIdleTimeoutWhetherOrNotRequestAskedForKeepAlive(ServerKind server, WebStack stack)
			throws Exception {
		try (TestApp app = TestApp.start(server, stack, "keepalive.server.idle-timeout=7s");
				RawHttpConnection connection = app.connect()) {
			RawHttpResponse plain = connection.get("/hello").readResponse();
			assertThat(plain.header("Keep-Alive")).isEqualTo("timeout=7");
			assertThat(plain.connectionClose()).isFalse();
			RawHttpResponse askedForKeepAlive = connection.get("/hello", "Connection: keep-alive").readResponse();
			assertThat(askedForKeepAlive.header("Keep-Alive")).isEqualTo("timeout=7");
			assertThat(askedForKeepAlive.connectionClose()).isFalse();
			RawHttpResponse notFound = connection.get("/missing").readResponse();
			assertThat(notFound.status()).isEqualTo(404);
			assertThat(notFound.header("Keep-Alive")).isEqualTo("timeout=7");
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void keepAliveHeaderReplacesOneTheApplicationSet(ServerKind server, WebStack stack) throws Exception {
		try (TestApp app = TestApp.start(server, stack, "keepalive.server.idle-timeout=7s");
				RawHttpConnection connection = app.connect()) {
			RawHttpResponse response = connection.get("/own-keep-alive").readResponse();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.headers().get("keep-alive")).containsExactly("timeout=7");
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void keepAliveHeaderRoundsTheIdleTimeoutDownToWholeSeconds(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "keepalive.server.idle-timeout=7900ms");
				RawHttpConnection connection = app.connect()) {
			assertThat(connection.get("/hello").readResponse().header("Keep-Alive")).isEqualTo("timeout=7");
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void withoutMaxRequestsPerConnectionTheServersOwnLimitApplies(ServerKind server) throws Exception {
		// Spring Boot's server.tomcat.max-keep-alive-requests (100) on Tomcat; no limit
		// on Jetty or Reactor Netty
		int closingResponse = (server == ServerKind.TOMCAT) ? 100 : -1;
		try (TestApp app = TestApp.start(server); RawHttpConnection connection = app.connect()) {
			for (int i = 1; i <= 150; i++) {
				RawHttpResponse response = connection.get("/hello").readResponse();
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.connectionClose()).as("response %d", i).isEqualTo(i == closingResponse);
				if (i == closingResponse) {
					return;
				}
			}
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void responseThatClosesConnectionCarriesNoKeepAliveHeader(ServerKind server, WebStack stack) throws Exception {
		try (TestApp app = TestApp.start(server, stack, "keepalive.server.idle-timeout=7s");
				RawHttpConnection connection = app.connect()) {
			RawHttpResponse response = connection.get("/hello", "Connection: close").readResponse();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.connectionClose()).isTrue();
			assertThat(response.hasHeader("Keep-Alive")).isFalse();
			assertThat(connection.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void keepAliveHeaderCanBeSwitchedOff(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "keepalive.server.advertise-idle-timeout=false");
				RawHttpConnection connection = app.connect()) {
			RawHttpResponse plain = connection.get("/hello").readResponse();
			assertThat(plain.hasHeader("Keep-Alive")).isFalse();
			RawHttpResponse askedForKeepAlive = connection.get("/hello", "Connection: keep-alive").readResponse();
			assertThat(askedForKeepAlive.hasHeader("Keep-Alive")).isFalse();
			assertThat(askedForKeepAlive.connectionClose()).isFalse();
		}
	}

	@ParameterizedTest
	@MethodSource("dev.keepalive.testsupport.WebStack#withEveryServer")
	void lastAllowedResponseSaysCloseAndServerClosesConnection(ServerKind server, WebStack stack) throws Exception {
		try (TestApp app = TestApp.start(server, stack, "keepalive.server.max-requests-per-connection=3");
				RawHttpConnection connection = app.connect()) {
			for (int i = 1; i <= 2; i++) {
				RawHttpResponse response = connection.get("/hello").readResponse();
				assertThat(response.connectionClose()).as("response %d", i).isFalse();
				assertThat(response.hasHeader("Keep-Alive")).as("response %d", i).isTrue();
			}
			RawHttpResponse last = connection.get("/hello").readResponse();
			assertThat(last.status()).isEqualTo(200);
			assertThat(last.connectionClose()).isTrue();
			assertThat(last.hasHeader("Keep-Alive")).isFalse();
			assertThat(connection.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void lastAllowedStreamingResponseKeepsItsChunkedFraming(ServerKind server) throws Exception {
		try (TestApp app = TestApp.start(server, "keepalive.server.max-requests-per-connection=1");
				RawHttpConnection connection = app.connect()) {
			RawHttpResponse last = connection.get("/stream?chunks=3&delayMs=10").readResponse();
			assertThat(last.connectionClose()).isTrue();
			assertThat(last.framing()).isEqualTo("chunked");
			assertThat(last.bodyText()).isEqualTo("chunk 0\nchunk 1\nchunk 2\n");
			assertThat(connection.awaitClose(Duration.ofSeconds(5))).isEqualTo(Closure.EOF);
			// Jetty half-closes and waits for the client to close its side
			connection.close();
			await().atMost(Duration.ofSeconds(5)).until(() -> app.closed(CloseReason.MAX_REQUESTS) == 1);
		}
	}

	@ParameterizedTest
	@EnumSource(ServerKind.class)
	void keepAliveValueWinsOverSpringBootServerPropertyWithWarning(ServerKind server, CapturedOutput output)
			throws Exception {
		String bootProperty = switch (server) {
			case TOMCAT -> "server.tomcat.keep-alive-timeout";
			case JETTY -> "server.jetty.connection-idle-timeout";
			case NETTY -> "server.netty.idle-timeout";
		};
		try (TestApp app = TestApp.start(server, "keepalive.server.idle-timeout=3s", bootProperty + "=20s");
				RawHttpConnection connection = app.connect()) {
			assertThat(connection.get("/hello").readResponse().header("Keep-Alive")).isEqualTo("timeout=3");
			assertThat(connection.awaitClose(Duration.ofSeconds(10))).isEqualTo(Closure.EOF);
			assertThat(output).contains(bootProperty + "=20s is overridden by keepalive.server.idle-timeout=3s");
		}
	}

	@Test
	void tomcatConnectionTimeoutAndMaxKeepAliveRequestsAreOverriddenWithWarnings(CapturedOutput output)
			throws Exception {
		try (TestApp app = TestApp.start(ServerKind.TOMCAT, "keepalive.server.idle-timeout=3s",
				"keepalive.server.max-requests-per-connection=2", "server.tomcat.connection-timeout=20s",
				"server.tomcat.max-keep-alive-requests=50"); RawHttpConnection connection = app.connect()) {
			// a new connection that sends nothing is closed after the idle timeout, not
			// 20 s
			long openedAt = System.nanoTime();
			assertThat(connection.awaitClose(Duration.ofSeconds(15))).isEqualTo(Closure.EOF);
			assertThat(Duration.ofNanos(System.nanoTime() - openedAt)).isLessThan(Duration.ofSeconds(10));
			try (RawHttpConnection limited = app.connect()) {
				assertThat(limited.get("/hello").readResponse().connectionClose()).isFalse();
				assertThat(limited.get("/hello").readResponse().connectionClose()).isTrue();
			}
			assertThat(output)
				.contains("server.tomcat.connection-timeout=20s is overridden by keepalive.server.idle-timeout=3s")
				.contains("server.tomcat.max-keep-alive-requests=50 is overridden by"
						+ " keepalive.server.max-requests-per-connection=2");
		}
	}

	@Test
	void tomcatWithAnotherProtocolGetsTheTimeoutsAndAWarning(CapturedOutput output) throws Exception {
		try (TestApp app = TestApp.start(ServerKind.TOMCAT, new Class<?>[] { Nio2TomcatConfiguration.class },
				"keepalive.server.idle-timeout=3s"); RawHttpConnection connection = app.connect()) {
			assertThat(output).contains("Tomcat protocol org.apache.coyote.http11.Http11Nio2Protocol is not"
					+ " org.apache.coyote.http11.Http11NioProtocol: Keepalive sets its timeouts but cannot track"
					+ " its connections");
			RawHttpResponse response = connection.get("/hello", "Connection: keep-alive").readResponse();
			assertThat(response.header("Keep-Alive")).isEqualTo("timeout=3");
			assertThat(app.serverConnections().connectors()).as("the connector is not managed")
				.noneMatch((connector) -> connector.id().port() == app.port());
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Nio2TomcatConfiguration {

		@Bean
		TomcatServletWebServerFactory tomcatServletWebServerFactory() {
			TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
			factory.setProtocol("org.apache.coyote.http11.Http11Nio2Protocol");
			return factory;
		}

	}

}
