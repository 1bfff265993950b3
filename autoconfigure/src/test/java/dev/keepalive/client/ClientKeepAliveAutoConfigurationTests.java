package dev.keepalive.client;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.WebClientCustomizer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When {@link ClientKeepAliveAutoConfiguration} applies and when it backs off. Only the
 * customizer beans are checked here; that Spring Boot applies them is shown by the race,
 * retry and idle-limit tests, which use real applications. (No HTTP client is built here,
 * so the JDK's process-wide property is never set in this JVM.)
 */
class ClientKeepAliveAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ClientKeepAliveAutoConfiguration.class));

	@Test
	void customizesEveryClientLibraryOnTheClassPath() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(ClientKeepAlivePolicy.class)
			.hasSingleBean(HttpComponentsKeepAlive.class)
			.hasSingleBean(HttpComponentsKeepAlive.Async.class)
			.hasSingleBean(ReactorNettyKeepAlive.RequestFactoryCustomizer.class)
			.hasSingleBean(ReactorNettyKeepAlive.ConnectorCustomizer.class)
			.hasSingleBean(JettyKeepAlive.class)
			.hasSingleBean(JettyKeepAlive.Connector.class)
			.hasSingleBean(JdkKeepAlive.class)
			.hasSingleBean(RestClientCustomizer.class)
			.hasSingleBean(WebClientCustomizer.class)
			.hasSingleBean(MicrometerStaleRetryRecorder.class));
	}

	@Test
	void backsOffWhenClientPartIsDisabled() {
		this.runner.withPropertyValues("keepalive.client.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ClientKeepAlivePolicy.class)
				.doesNotHaveBean(HttpComponentsKeepAlive.class)
				.doesNotHaveBean(JdkKeepAlive.class)
				.doesNotHaveBean(RestClientCustomizer.class));
	}

	@Test
	void backsOffWhenKeepaliveIsDisabled() {
		this.runner.withPropertyValues("keepalive.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ClientKeepAlivePolicy.class)
				.doesNotHaveBean(JdkKeepAlive.class));
	}

	@Test
	void backsOffWithoutSpringBootHttpClientSupport() {
		this.runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.http.client"))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ClientKeepAlivePolicy.class));
	}

	@Test
	void customizesOnlyTheJdkClientWhenNoClientLibraryIsPresent() {
		this.runner
			.withClassLoader(
					new FilteredClassLoader("org.apache.hc.client5", "reactor.netty", "org.eclipse.jetty.client"))
			.run((context) -> assertThat(context).hasSingleBean(JdkKeepAlive.class)
				.doesNotHaveBean(HttpComponentsKeepAlive.class)
				.doesNotHaveBean(ReactorNettyKeepAlive.class)
				.doesNotHaveBean(JettyKeepAlive.class));
	}

	@Test
	void noSpringLevelRetryWhenRetryStaleIsOff() {
		this.runner.withPropertyValues("keepalive.client.retry-stale=false")
			.run((context) -> assertThat(context).hasSingleBean(ClientKeepAlivePolicy.class)
				.doesNotHaveBean(RestClientCustomizer.class)
				.doesNotHaveBean(WebClientCustomizer.class));
	}

	@Test
	void retriesAreNotCountedWithoutMicrometer() {
		this.runner.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
			.run((context) -> assertThat(context.getBean(StaleRetryRecorder.class)).isSameAs(StaleRetryRecorder.NONE));
	}

}
