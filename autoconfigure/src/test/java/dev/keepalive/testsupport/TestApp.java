package dev.keepalive.testsupport;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.keepalive.drain.DrainPhase;
import dev.keepalive.drain.ServerDrain;
import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionCounts;
import dev.keepalive.server.ServerConnections;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import static org.awaitility.Awaitility.await;

/**
 * Starts a real application (the starter, Spring MVC and {@link TestController}, or
 * WebFlux and {@link ReactiveTestController}) on an ephemeral port of the given server.
 */
public final class TestApp implements AutoCloseable {

	/**
	 * The property that tells test configurations which server they run on.
	 */
	public static final String SERVER_PROPERTY = "test.server";

	private final ServerKind server;

	private final ConfigurableApplicationContext context;

	// held from the start: tests read them after the context has closed
	private final ServerConnections serverConnections;

	private final ServerDrain drain;

	private final DrainEvents drainEvents;

	private TestApp(ServerKind server, ConfigurableApplicationContext context) {
		this.server = server;
		this.context = context;
		this.serverConnections = context.getBeanProvider(ServerConnections.class).getIfAvailable();
		this.drain = context.getBeanProvider(ServerDrain.class).getIfAvailable();
		this.drainEvents = context.getBean(DrainEvents.class);
	}

	public static TestApp start(ServerKind server, String... properties) {
		return start(server, new Class<?>[0], properties);
	}

	public static TestApp start(ServerKind server, Class<?>[] extraSources, String... properties) {
		return start(server, server.defaultStack(), extraSources, properties);
	}

	public static TestApp start(ServerKind server, WebStack stack, String... properties) {
		return start(server, stack, new Class<?>[0], properties);
	}

	public static TestApp start(ServerKind server, WebStack stack, Class<?>[] extraSources, String... properties) {
		List<String> allProperties = new ArrayList<>();
		allProperties.add("management.endpoints.web.exposure.include=health,keepalive");
		allProperties.add("management.endpoint.health.probes.enabled=true");
		allProperties.addAll(Arrays.asList(properties));
		allProperties.add("server.port=0");
		allProperties.add(server.exclusionProperty());
		allProperties.add(SERVER_PROPERTY + "=" + server.name());
		List<Class<?>> sources = new ArrayList<>(List.of(Config.class, stack.controller()));
		sources.addAll(Arrays.asList(extraSources));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(sources.toArray(Class[]::new))
			.web(stack.type())
			.properties(allProperties.toArray(String[]::new))
			.run();
		return new TestApp(server, context);
	}

	public ServerKind server() {
		return this.server;
	}

	public int port() {
		return ((WebServerApplicationContext) this.context).getWebServer().getPort();
	}

	public ConfigurableApplicationContext context() {
		return this.context;
	}

	public TestController controller() {
		return this.context.getBean(TestController.class);
	}

	/**
	 * The test controller of the application's web stack.
	 */
	public TestEndpoints endpoints() {
		return this.context.getBean(TestEndpoints.class);
	}

	public RawHttpConnection connect() throws IOException {
		return RawHttpConnection.open(port());
	}

	public <T> Map<String, T> beans(Class<T> type) {
		return this.context.getBeansOfType(type);
	}

	public ServerConnections serverConnections() {
		return this.serverConnections;
	}

	/**
	 * The main connector's connections, by state, now.
	 */
	public ConnectionCounts counts() {
		return serverConnections().connectors()
			.stream()
			.filter((connector) -> connector.id().port() == port())
			.findFirst()
			.orElseThrow()
			.connections()
			.counts();
	}

	public ServerDrain drain() {
		return this.drain;
	}

	/**
	 * Close the application context on another thread, as a shutdown hook would.
	 */
	public CompletableFuture<Void> closeInBackground() {
		return Background.run(() -> {
			this.context.close();
			return null;
		});
	}

	/**
	 * Close the application context on another thread and wait until its drain has
	 * entered {@code phase} (or gone past it).
	 */
	public CompletableFuture<Void> closeInBackground(DrainPhase phase) {
		CompletableFuture<Void> closed = closeInBackground();
		awaitPhase(phase);
		return closed;
	}

	/**
	 * Wait until the drain has entered {@code phase} (or gone past it).
	 */
	public void awaitPhase(DrainPhase phase) {
		await().atMost(Duration.ofSeconds(30)).until(() -> this.drain.phase().compareTo(phase) >= 0);
	}

	/**
	 * Every drain phase change so far.
	 */
	public DrainEvents drainEvents() {
		return this.drainEvents;
	}

	public long closed(CloseReason reason) {
		return serverConnections().closedCount(reason);
	}

	@Override
	public void close() {
		this.context.close();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import(DrainEvents.class)
	static class Config {

	}

}
