package dev.keepalive.client;

import io.micrometer.core.instrument.MeterRegistry;

import dev.keepalive.autoconfigure.KeepAliveProperties;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Applies the outbound keep-alive policy ({@code keepalive.client.*}) to the HTTP clients
 * that Spring Boot builds for {@code RestClient.Builder}, {@code RestTemplateBuilder} and
 * {@code WebClient.Builder}, through Spring Boot's builder customizers, for each client
 * library that is present: Apache HttpClient 5, Reactor Netty, the Jetty client and, as
 * far as it allows, the JDK {@code HttpClient}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "keepalive.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "keepalive.client.enabled", matchIfMissing = true)
@ConditionalOnClass(ClientHttpRequestFactoryBuilderCustomizer.class)
@EnableConfigurationProperties(KeepAliveProperties.class)
@Import({ ClientKeepAliveAutoConfiguration.MicrometerRetryRecorderConfiguration.class,
		ClientKeepAliveAutoConfiguration.NoRetryRecorderConfiguration.class,
		ClientKeepAliveAutoConfiguration.HttpComponentsConfiguration.class,
		ClientKeepAliveAutoConfiguration.ReactorNettyConfiguration.class,
		ClientKeepAliveAutoConfiguration.JettyConfiguration.class,
		ClientKeepAliveAutoConfiguration.JdkConfiguration.class,
		ClientKeepAliveAutoConfiguration.RestClientStaleRetryConfiguration.class,
		ClientKeepAliveAutoConfiguration.WebClientStaleRetryConfiguration.class })
public final class ClientKeepAliveAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ClientKeepAlivePolicy keepAliveClientPolicy(KeepAliveProperties properties) {
		return ClientKeepAlivePolicy.of(properties.getClient());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class MicrometerRetryRecorderConfiguration {

		@Bean
		@ConditionalOnMissingBean
		StaleRetryRecorder keepAliveClientRetryRecorder(ObjectProvider<MeterRegistry> meterRegistry) {
			return new MicrometerStaleRetryRecorder(meterRegistry);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass("io.micrometer.core.instrument.MeterRegistry")
	static class NoRetryRecorderConfiguration {

		@Bean
		@ConditionalOnMissingBean
		StaleRetryRecorder keepAliveClientRetryRecorder() {
			return StaleRetryRecorder.NONE;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.apache.hc.client5.http.impl.classic.HttpClients")
	static class HttpComponentsConfiguration {

		@Bean
		HttpComponentsKeepAlive keepAliveHttpComponentsCustomizer(ClientKeepAlivePolicy policy,
				StaleRetryRecorder recorder) {
			return new HttpComponentsKeepAlive(policy, recorder);
		}

		@Bean
		HttpComponentsKeepAlive.Async keepAliveHttpComponentsAsyncCustomizer(
				HttpComponentsKeepAlive keepAliveHttpComponentsCustomizer) {
			return new HttpComponentsKeepAlive.Async(keepAliveHttpComponentsCustomizer);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "reactor.netty.http.client.HttpClient")
	static class ReactorNettyConfiguration {

		@Bean
		ReactorNettyKeepAlive keepAliveReactorNetty(ClientKeepAlivePolicy policy) {
			return new ReactorNettyKeepAlive(policy);
		}

		@Bean
		ReactorNettyKeepAlive.RequestFactoryCustomizer keepAliveReactorRequestFactoryCustomizer(
				ReactorNettyKeepAlive keepAliveReactorNetty) {
			return new ReactorNettyKeepAlive.RequestFactoryCustomizer(keepAliveReactorNetty);
		}

		@Bean
		ReactorNettyKeepAlive.ConnectorCustomizer keepAliveReactorConnectorCustomizer(
				ReactorNettyKeepAlive keepAliveReactorNetty) {
			return new ReactorNettyKeepAlive.ConnectorCustomizer(keepAliveReactorNetty);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.eclipse.jetty.client.HttpClient")
	static class JettyConfiguration {

		@Bean
		JettyKeepAlive keepAliveJettyCustomizer(ClientKeepAlivePolicy policy) {
			return new JettyKeepAlive(policy);
		}

		@Bean
		JettyKeepAlive.Connector keepAliveJettyConnectorCustomizer(JettyKeepAlive keepAliveJettyCustomizer) {
			return new JettyKeepAlive.Connector(keepAliveJettyCustomizer);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class JdkConfiguration {

		@Bean
		JdkKeepAlive keepAliveJdkCustomizer(ClientKeepAlivePolicy policy) {
			return new JdkKeepAlive(policy);
		}

	}

	/**
	 * Retries for Reactor Netty and Jetty behind {@code RestClient} and
	 * {@code RestTemplate}; Apache HttpClient retries by itself. Interceptors make Spring
	 * buffer request bodies, so they are added only for those two libraries.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "keepalive.client.retry-stale", matchIfMissing = true)
	@ConditionalOnClass(RestClientCustomizer.class)
	static class RestClientStaleRetryConfiguration {

		@Bean
		@Order(Ordered.LOWEST_PRECEDENCE)
		RestClientCustomizer keepAliveStaleRetryRestClientCustomizer(
				ObjectProvider<ClientHttpRequestFactoryBuilder<?>> requestFactoryBuilder, StaleRetryRecorder recorder) {
			return (builder) -> {
				if (StaleRetrySupport.needsInterceptor(requestFactoryBuilder)) {
					builder.requestInterceptor(new StaleConnectionRetryInterceptor(recorder));
				}
			};
		}

		@Bean
		@Order(Ordered.LOWEST_PRECEDENCE)
		RestTemplateCustomizer keepAliveStaleRetryRestTemplateCustomizer(
				ObjectProvider<ClientHttpRequestFactoryBuilder<?>> requestFactoryBuilder, StaleRetryRecorder recorder) {
			return (restTemplate) -> {
				if (StaleRetrySupport.needsInterceptor(requestFactoryBuilder)) {
					restTemplate.getInterceptors().add(new StaleConnectionRetryInterceptor(recorder));
				}
			};
		}

	}

	/**
	 * Retries for Reactor Netty behind {@code WebClient}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "keepalive.client.retry-stale", matchIfMissing = true)
	@ConditionalOnClass({ WebClientCustomizer.class, ClientHttpConnectorBuilder.class })
	static class WebClientStaleRetryConfiguration {

		@Bean
		@Order(Ordered.LOWEST_PRECEDENCE)
		WebClientCustomizer keepAliveStaleRetryWebClientCustomizer(
				ObjectProvider<ClientHttpConnectorBuilder<?>> connectorBuilder, StaleRetryRecorder recorder) {
			return (builder) -> {
				if (StaleRetrySupport.needsFilter(connectorBuilder)) {
					builder.filter(new StaleConnectionRetryFilter(recorder));
				}
			};
		}

	}

}
