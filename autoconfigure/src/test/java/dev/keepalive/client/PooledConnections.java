package dev.keepalive.client;

import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntUnaryOperator;

import io.netty.channel.Channel;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.pool.ConnPoolControl;
import org.eclipse.jetty.client.AbstractConnectionPool;
import org.eclipse.jetty.client.HttpClient;
import reactor.netty.ConnectionObserver;

import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.JettyClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.HttpComponentsClientHttpConnectorBuilder;
import org.springframework.boot.http.client.reactive.JettyClientHttpConnectorBuilder;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ReflectionUtils;

import static org.awaitility.Awaitility.await;

/**
 * The idle connections in the pools of the clients Spring Boot builds, taken hold of by
 * test customizers as each client is built. Reactor Netty and Jetty give a connection
 * back to the pool on their own threads just after the caller has the response: a test
 * that wants its next request on the pooled connection waits for it here.
 */
final class PooledConnections {

	/** Idle connections to a port, one function per client built. */
	private final List<IntUnaryOperator> pools = new CopyOnWriteArrayList<>();

	/**
	 * Wait until a connection to the given port is idle in the client's pool.
	 * @param port the server's port
	 */
	void awaitIdle(int port) {
		await().atMost(Duration.ofSeconds(10)).until(() -> idle(port) > 0);
	}

	private int idle(int port) {
		return this.pools.stream().mapToInt((pool) -> pool.applyAsInt(port)).sum();
	}

	private void add(IntUnaryOperator pool) {
		this.pools.add(pool);
	}

	private void addHttpComponents(Object clientBuilder) {
		// Spring Boot sets the pool it builds on the client builder and offers no other
		// way to it
		Field field = ReflectionUtils.findField(clientBuilder.getClass(), "connManager");
		ReflectionUtils.makeAccessible(field);
		@SuppressWarnings("unchecked")
		ConnPoolControl<HttpRoute> pool = (ConnPoolControl<HttpRoute>) ReflectionUtils.getField(field, clientBuilder);
		add((port) -> pool.getRoutes()
			.stream()
			.filter((route) -> route.getTargetHost().getPort() == port)
			.mapToInt((route) -> pool.getStats(route).getAvailable())
			.sum());
	}

	private void addJetty(HttpClient client) {
		add((port) -> client.getDestinations()
			.stream()
			.filter((destination) -> destination.getOrigin().getAddress().getPort() == port)
			.mapToInt((destination) -> ((AbstractConnectionPool) destination.getConnectionPool())
				.getIdleConnectionCount())
			.sum());
	}

	private reactor.netty.http.client.HttpClient addReactor(reactor.netty.http.client.HttpClient client) {
		Set<Channel> idle = ConcurrentHashMap.newKeySet();
		add((port) -> (int) idle.stream().filter((channel) -> port(channel.remoteAddress()) == port).count());
		return client.observe((connection, state) -> {
			if (state == ConnectionObserver.State.RELEASED) {
				idle.add(connection.channel());
			}
			else if (state == ConnectionObserver.State.ACQUIRED || state == ConnectionObserver.State.DISCONNECTING) {
				idle.remove(connection.channel());
			}
		});
	}

	private static int port(SocketAddress address) {
		return (address instanceof InetSocketAddress inet) ? inet.getPort() : -1;
	}

	@Configuration(proxyBeanMethods = false)
	static class Customizers {

		@Bean
		PooledConnections pooledConnections() {
			return new PooledConnections();
		}

		@Bean
		ClientHttpRequestFactoryBuilderCustomizer<HttpComponentsClientHttpRequestFactoryBuilder> httpComponentsPool(
				PooledConnections pools) {
			return (builder) -> builder.withHttpClientCustomizer(pools::addHttpComponents);
		}

		@Bean
		ClientHttpConnectorBuilderCustomizer<HttpComponentsClientHttpConnectorBuilder> httpComponentsAsyncPool(
				PooledConnections pools) {
			return (builder) -> builder.withHttpClientCustomizer(pools::addHttpComponents);
		}

		@Bean
		ClientHttpRequestFactoryBuilderCustomizer<JettyClientHttpRequestFactoryBuilder> jettyPool(
				PooledConnections pools) {
			return (builder) -> builder.withHttpClientCustomizer(pools::addJetty);
		}

		@Bean
		ClientHttpConnectorBuilderCustomizer<JettyClientHttpConnectorBuilder> jettyConnectorPool(
				PooledConnections pools) {
			return (builder) -> builder.withHttpClientCustomizer(pools::addJetty);
		}

		@Bean
		ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> reactorPool(
				PooledConnections pools) {
			return (builder) -> builder.withHttpClientCustomizer(pools::addReactor);
		}

		@Bean
		ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> reactorConnectorPool(
				PooledConnections pools) {
			return (builder) -> builder.withHttpClientCustomizer(pools::addReactor);
		}

	}

}
