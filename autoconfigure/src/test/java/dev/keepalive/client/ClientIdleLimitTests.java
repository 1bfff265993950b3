package dev.keepalive.client;

import java.time.Duration;

import dev.keepalive.client.RawHttpServer.Mode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code keepalive.client.max-idle-time} and
 * {@code keepalive.client.honor-keep-alive-header}: a pooled connection idle for longer
 * than its limit is not reused, one idle for less is. The server keeps connections for 30
 * s, so a new connection is the client's decision. The sleeps are the long idle gaps of
 * the experiment.
 */
class ClientIdleLimitTests {

	private static final Duration SERVER_IDLE = Duration.ofSeconds(30);

	@ParameterizedTest(name = "{0}")
	@EnumSource(names = { "HTTP_COMPONENTS_REST_CLIENT", "HTTP_COMPONENTS_WEB_CLIENT", "JETTY_REST_CLIENT",
			"JETTY_WEB_CLIENT", "REACTOR_REST_CLIENT", "REACTOR_WEB_CLIENT" })
	void connectionIdleLongerThanMaxIdleTimeIsNotReused(ClientKind kind) throws Exception {
		try (RawHttpServer server = new RawHttpServer(Mode.KEEP_ALIVE, SERVER_IDLE, null);
				ClientApp app = ClientApp.start(kind, "keepalive.client.max-idle-time=2s")) {
			assertReusedWhenBackInPoolNotAfterLongIdle(server, app, Duration.ofMillis(2500));
		}
	}

	@ParameterizedTest(name = "{0}")
	@EnumSource(names = { "HTTP_COMPONENTS_REST_CLIENT", "HTTP_COMPONENTS_WEB_CLIENT", "JETTY_REST_CLIENT",
			"JETTY_WEB_CLIENT", "REACTOR_REST_CLIENT", "REACTOR_WEB_CLIENT" })
	void connectionIsNotReusedAfterKeepAliveTimeoutMinusOneSecondEvenWhenMaxIdleTimeIsLonger(ClientKind kind)
			throws Exception {
		try (RawHttpServer server = new RawHttpServer(Mode.KEEP_ALIVE, SERVER_IDLE, "timeout=2");
				ClientApp app = ClientApp.start(kind, "keepalive.client.max-idle-time=10s")) {
			// Not reused after 1s (N-1)
			assertReusedWhenBackInPoolNotAfterLongIdle(server, app, Duration.ofMillis(1500));
		}
	}

	@ParameterizedTest(name = "{0}")
	@EnumSource(names = { "HTTP_COMPONENTS_REST_CLIENT", "HTTP_COMPONENTS_WEB_CLIENT", "JETTY_REST_CLIENT",
			"JETTY_WEB_CLIENT", "REACTOR_REST_CLIENT", "REACTOR_WEB_CLIENT" })
	void idleConnectionIsClosedInTheBackgroundOnceOlderThanMaxIdleTime(ClientKind kind) throws Exception {
		try (RawHttpServer server = new RawHttpServer(Mode.KEEP_ALIVE, SERVER_IDLE, null);
				ClientApp app = ClientApp.start(kind, "keepalive.client.max-idle-time=2s")) {
			app.get(server.url("/only"));
			app.awaitPooled(server);
			// no further request: the client closes it on its own, not before the limit
			// and long before the server's 30 s
			await().between(Duration.ofMillis(1500), Duration.ofSeconds(15))
				.until(() -> server.events().contains("#1 closed by the client after 1 requests"));
			assertThat(server.connections()).isEqualTo(1);
		}
	}

	@ParameterizedTest(name = "{0}")
	@EnumSource(names = { "HTTP_COMPONENTS_REST_CLIENT", "HTTP_COMPONENTS_WEB_CLIENT", "JETTY_REST_CLIENT",
			"JETTY_WEB_CLIENT", "REACTOR_REST_CLIENT", "REACTOR_WEB_CLIENT" })
	void keepAliveHeaderIsIgnoredWhenNotHonored(ClientKind kind) throws Exception {
		try (RawHttpServer server = new RawHttpServer(Mode.KEEP_ALIVE, SERVER_IDLE, "timeout=2");
				ClientApp app = ClientApp.start(kind, "keepalive.client.max-idle-time=10s",
						"keepalive.client.honor-keep-alive-header=false")) {
			app.get(server.url("/first"));
			Thread.sleep(1500);
			app.get(server.url("/after-1500ms"));
			assertThat(server.connections()).isEqualTo(1);
		}
	}

	/**
	 * Reused as soon as the client has it back in its pool (Reactor Netty and Jetty give
	 * it back on their own threads, just after the caller has the response); not after a
	 * gap well above the limit.
	 */
	private static void assertReusedWhenBackInPoolNotAfterLongIdle(RawHttpServer server, ClientApp app,
			Duration longGap) throws InterruptedException {
		assertThat(app.get(server.url("/first"))).isEqualTo("ok GET /first HTTP/1.1");
		app.awaitPooled(server);
		app.get(server.url("/back-in-pool"));
		assertThat(server.connections()).as("reused").isEqualTo(1);
		Thread.sleep(longGap.toMillis());
		app.get(server.url("/after-long-idle"));
		assertThat(server.connections()).as("new connection after " + longGap.toMillis() + " ms idle").isEqualTo(2);
		assertThat(server.requests()).isEqualTo(3);
	}

}
