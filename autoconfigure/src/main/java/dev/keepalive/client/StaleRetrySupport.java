package dev.keepalive.client;

import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;

/**
 * Which Spring Boot client builders need a Spring-level retry. Compared by name: the
 * builder classes of absent libraries must not be loaded.
 */
final class StaleRetrySupport {

	private static final Set<String> REQUEST_FACTORY_BUILDERS = Set.of(
			"org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder",
			"org.springframework.boot.http.client.JettyClientHttpRequestFactoryBuilder");

	private static final String REACTOR_CONNECTOR_BUILDER = "org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder";

	private StaleRetrySupport() {
	}

	static boolean needsInterceptor(ObjectProvider<ClientHttpRequestFactoryBuilder<?>> builder) {
		// Without the bean (reactive web application) Spring Boot detects one that our
		// customizers never saw: nothing would mark stale failures
		return isOneOf(builder.getIfUnique(), REQUEST_FACTORY_BUILDERS);
	}

	static boolean needsFilter(ObjectProvider<ClientHttpConnectorBuilder<?>> builder) {
		return isOneOf(builder.getIfUnique(), Set.of(REACTOR_CONNECTOR_BUILDER));
	}

	private static boolean isOneOf(@Nullable Object builder, Set<String> classNames) {
		return builder != null && classNames.contains(builder.getClass().getName());
	}

}
