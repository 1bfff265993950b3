package dev.keepalive.drain;

import java.io.IOException;

import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpResponse;
import dev.keepalive.testsupport.ServerKind;
import dev.keepalive.testsupport.TestController;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring's test context cache pauses a cached {@code RANDOM_PORT} context when a test
 * class needs another one, and resumes it for the next class with the same configuration:
 * its server must still serve, with keep-alive. Tomcat, then Jetty, then Tomcat again
 * (the first context, paused and resumed), then Jetty again.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class TestContextCacheTests {

	@Nested
	@Order(1)
	@SpringBootTest(classes = App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = ServerKind.TOMCAT_ONLY)
	class FirstTomcatClass {

		@Test
		void servesWithKeepAlive(@LocalServerPort int port) throws IOException {
			assertServesWithKeepAlive(port);
		}

	}

	@Nested
	@Order(2)
	@SpringBootTest(classes = App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = ServerKind.JETTY_ONLY)
	class FirstJettyClass {

		@Test
		void servesWithKeepAlive(@LocalServerPort int port) throws IOException {
			assertServesWithKeepAlive(port);
		}

	}

	@Nested
	@Order(3)
	@SpringBootTest(classes = App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = ServerKind.TOMCAT_ONLY)
	class SecondTomcatClass {

		@Test
		void servesWithKeepAliveAfterItsContextWasPausedAndResumed(@LocalServerPort int port) throws IOException {
			assertServesWithKeepAlive(port);
		}

	}

	@Nested
	@Order(4)
	@SpringBootTest(classes = App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = ServerKind.JETTY_ONLY)
	class SecondJettyClass {

		@Test
		void servesWithKeepAliveAfterItsContextWasPausedAndResumed(@LocalServerPort int port) throws IOException {
			assertServesWithKeepAlive(port);
		}

	}

	static void assertServesWithKeepAlive(int port) throws IOException {
		try (RawHttpConnection connection = RawHttpConnection.open(port)) {
			RawHttpResponse response = connection.get("/hello").readResponse();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.connectionClose()).isFalse();
			assertThat(response.header("Keep-Alive")).isEqualTo("timeout=65");
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(TestController.class)
	static class App {

	}

}
