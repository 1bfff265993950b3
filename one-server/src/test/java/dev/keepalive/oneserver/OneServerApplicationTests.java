package dev.keepalive.oneserver;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.keepalive.drain.DrainReport;
import dev.keepalive.drain.ServerDrain;
import dev.keepalive.testsupport.RawHttpConnection;
import dev.keepalive.testsupport.RawHttpConnection.Closure;
import dev.keepalive.testsupport.RawHttpResponse;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The keep-alive and drain basics in an application that has only one server on its
 * classpath, Tomcat or Jetty, as users' applications have (the main suite has both).
 */
class OneServerApplicationTests {

	private static final String EXPECTED_SERVER = System.getProperty("expected.server", "");

	@Test
	void onlyTheExpectedServerIsOnTheClasspath() {
		assertThat(EXPECTED_SERVER).isIn("tomcat", "jetty");
		assertThat(ClassUtils.isPresent("org.apache.catalina.startup.Tomcat", null))
			.isEqualTo(EXPECTED_SERVER.equals("tomcat"));
		assertThat(ClassUtils.isPresent("org.eclipse.jetty.server.Server", null))
			.isEqualTo(EXPECTED_SERVER.equals("jetty"));
	}

	@Test
	void keepAliveResponsesAdvertiseTheIdleTimeoutAndTheServerClosesIdleConnectionsAtIt() throws Exception {
		try (ConfigurableApplicationContext context = start("--keepalive.server.idle-timeout=2s")) {
			try (RawHttpConnection connection = RawHttpConnection.open(port(context))) {
				for (int i = 0; i < 2; i++) {
					RawHttpResponse response = connection.get("/work?ms=0").readResponse();
					assertThat(response.status()).isEqualTo(200);
					assertThat(response.header("Keep-Alive")).isEqualTo("timeout=2");
					assertThat(response.connectionClose()).isFalse();
				}
				long idleSince = System.nanoTime();
				assertThat(connection.awaitClose(Duration.ofSeconds(10))).isEqualTo(Closure.EOF);
				assertThat(Duration.ofNanos(System.nanoTime() - idleSince)).isGreaterThan(Duration.ofSeconds(1));
			}
		}
	}

	@Test
	void drainServesTheRequestInFlightWithConnectionCloseThenRefusesConnections() throws Exception {
		ConfigurableApplicationContext context = start("--keepalive.shutdown.drain-delay=0s");
		ServerDrain drain = context.getBean(ServerDrain.class);
		int port = port(context);
		try (RawHttpConnection slow = RawHttpConnection.open(port).get("/work?ms=2000")) {
			await().atMost(Duration.ofSeconds(10)).until(() -> OneServerApplication.WorkController.inFlight.get() == 1);
			CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close);
			await().atMost(Duration.ofSeconds(10)).until(() -> refusesConnections(port));
			RawHttpResponse response = slow.readResponse();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.bodyText()).isEqualTo("worked 2000");
			assertThat(response.connectionClose()).isTrue();
			closed.get(30, TimeUnit.SECONDS);
		}
		DrainReport report = drain.report();
		assertThat(report).isNotNull();
		assertThat(report.requestsServed()).isEqualTo(1);
		assertThat(report.closedAfterResponse()).isEqualTo(1);
		assertThat(report.forced()).isZero();
		assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> RawHttpConnection.open(port));
	}

	@Test
	void endpointReportsTheServersConnector() throws Exception {
		try (ConfigurableApplicationContext context = start("--management.endpoints.web.exposure.include=keepalive")) {
			int port = port(context);
			try (RawHttpConnection connection = RawHttpConnection.open(port)) {
				RawHttpResponse response = connection.get("/actuator/keepalive").readResponse();
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.bodyText()).contains("\"phase\":\"SERVING\"").contains("\"port\":" + port);
			}
		}
	}

	private static ConfigurableApplicationContext start(String... args) {
		SpringApplication application = new SpringApplication(OneServerApplication.class);
		String[] all = new String[args.length + 1];
		all[0] = "--server.port=0";
		System.arraycopy(args, 0, all, 1, args.length);
		ConfigurableApplicationContext context = application.run(all);
		assertThat(((WebServerApplicationContext) context).getWebServer().getClass().getSimpleName().toLowerCase())
			.startsWith(EXPECTED_SERVER);
		return context;
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	private static boolean refusesConnections(int port) {
		try (RawHttpConnection connection = RawHttpConnection.open(port)) {
			return false;
		}
		catch (ConnectException ex) {
			return true;
		}
		catch (Exception ex) {
			return false;
		}
	}

}
