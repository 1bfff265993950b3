package dev.keepalive.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpMethod;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * A real, non-web Spring Boot application (a batch application calling HTTP services)
 * with every auto-configuration on the test class path, and one HTTP client of the given
 * kind from Spring Boot's own builder beans.
 */
final class ClientApp implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private final ClientKind kind;

	private final Call call;

	private ClientApp(ConfigurableApplicationContext context, ClientKind kind) {
		this.context = context;
		this.kind = kind;
		this.call = createCall(context, kind);
	}

	static ClientApp start(ClientKind kind, String... properties) {
		List<String> all = new ArrayList<>(Arrays.asList(properties));
		all.add(kind.factoryProperty());
		all.add("spring.http.clients.connect-timeout=5s");
		all.add("spring.http.clients.read-timeout=15s");
		all.add("spring.main.banner-mode=off");
		ConfigurableApplicationContext context = new SpringApplicationBuilder(Config.class).web(WebApplicationType.NONE)
			.properties(all.toArray(String[]::new))
			.run();
		return new ClientApp(context, kind);
	}

	ClientKind kind() {
		return this.kind;
	}

	ConfigurableApplicationContext context() {
		return this.context;
	}

	String send(String method, String url, String body) {
		return this.call.send(HttpMethod.valueOf(method), url, body);
	}

	String post(String url, String body) {
		return send("POST", url, body);
	}

	String get(String url) {
		return send("GET", url, null);
	}

	/**
	 * Wait until the client's pool holds an idle connection to the server, so that the
	 * next request goes over it.
	 * @param server the server
	 */
	void awaitPooled(RawHttpServer server) {
		this.context.getBean(PooledConnections.class).awaitIdle(server.port());
	}

	double retries(String client, String method) {
		Counter counter = this.context.getBean(MeterRegistry.class)
			.find(StaleRetryRecorder.METER_NAME)
			.tag("client", client)
			.tag("method", method)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	double retries() {
		return this.context.getBean(MeterRegistry.class)
			.find(StaleRetryRecorder.METER_NAME)
			.counters()
			.stream()
			.mapToDouble(Counter::count)
			.sum();
	}

	@Override
	public void close() {
		this.context.close();
	}

	private static Call createCall(ConfigurableApplicationContext context, ClientKind kind) {
		return switch (kind.api()) {
			case REST_CLIENT -> {
				RestClient client = context.getBean(RestClient.Builder.class).build();
				yield (method, url, body) -> {
					RestClient.RequestBodySpec request = client.method(method).uri(url);
					if (body != null) {
						request.body(body);
					}
					return request.retrieve().body(String.class);
				};
			}
			case REST_TEMPLATE -> {
				RestTemplate template = context.getBean(RestTemplateBuilder.class).build();
				yield (method, url, body) -> template.exchange(url, method, new HttpEntity<>(body), String.class)
					.getBody();
			}
			case WEB_CLIENT -> {
				WebClient client = context.getBean(WebClient.Builder.class).build();
				yield (method, url, body) -> {
					WebClient.RequestBodySpec request = client.method(method).uri(url);
					if (body != null) {
						request.bodyValue(body);
					}
					return request.retrieve().bodyToMono(String.class).block(Duration.ofSeconds(20));
				};
			}
		};
	}

	@FunctionalInterface
	private interface Call {

		String send(HttpMethod method, String url, String body);

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import(PooledConnections.Customizers.class)
	static class Config {

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

}
