package dev.keepalive.autoconfigure;

import java.time.Duration;
import java.util.List;

import dev.keepalive.drain.DrainPhase;
import dev.keepalive.drain.DrainSettings;
import dev.keepalive.drain.KeepAliveDrainAutoConfiguration;
import dev.keepalive.drain.ServerDrain;
import dev.keepalive.server.ConnectionPolicy;
import dev.keepalive.server.NewWork;
import dev.keepalive.server.ServerConnections;
import dev.keepalive.server.ServerKeepAliveSettings;
import dev.keepalive.server.jetty.JettyKeepAliveAutoConfiguration;
import dev.keepalive.server.netty.NettyKeepAliveAutoConfiguration;
import dev.keepalive.server.tomcat.TomcatKeepAliveAutoConfiguration;
import dev.keepalive.websocket.KeepAliveWebSocketAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.Mockito;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.jetty.reactive.JettyReactiveWebServerFactory;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.tomcat.reactive.TomcatReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.reactive.ReactiveWebServerFactory;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server-side auto-configuration applies in a servlet or reactive application on
 * Tomcat or Jetty, and in a reactive one on Reactor Netty, and backs off cleanly
 * everywhere else.
 */
@ExtendWith(OutputCaptureExtension.class)
class KeepAliveServerAutoConfigurationTests {

	private static final AutoConfigurations SERVER_AUTO_CONFIGURATIONS = AutoConfigurations.of(
			KeepAliveServerAutoConfiguration.class, TomcatKeepAliveAutoConfiguration.class,
			JettyKeepAliveAutoConfiguration.class, NettyKeepAliveAutoConfiguration.class);

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(SERVER_AUTO_CONFIGURATIONS);

	private final ReactiveWebApplicationContextRunner reactiveRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(SERVER_AUTO_CONFIGURATIONS)
		.withConfiguration(AutoConfigurations.of(KeepAliveDrainAutoConfiguration.class,
				KeepAliveWebSocketAutoConfiguration.class));

	@Test
	void servletApplicationGetsACustomizerForEachServerOnTheClasspath() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed()
				.hasSingleBean(ServerConnections.class)
				.hasSingleBean(ServerKeepAliveSettings.class);
			assertThat(context.getBeansOfType(WebServerFactoryCustomizer.class).keySet()).containsExactlyInAnyOrder(
					"tomcatKeepAliveCustomizer", "jettyKeepAliveCustomizer", "nettyKeepAliveCustomizer");
		});
	}

	@Test
	void onlyTomcatOnTheClasspathGetsOnlyTheTomcatCustomizer() {
		this.runner.withClassLoader(new FilteredClassLoader("org.eclipse.jetty", "reactor.netty.http.server"))
			.run((context) -> assertThat(context.getBeansOfType(WebServerFactoryCustomizer.class).keySet())
				.containsExactly("tomcatKeepAliveCustomizer"));
	}

	@Test
	void onlyJettyOnTheClasspathGetsOnlyTheJettyCustomizer() {
		this.runner
			.withClassLoader(
					new FilteredClassLoader("org.apache.catalina", "org.apache.coyote", "reactor.netty.http.server"))
			.run((context) -> assertThat(context.getBeansOfType(WebServerFactoryCustomizer.class).keySet())
				.containsExactly("jettyKeepAliveCustomizer"));
	}

	@Test
	void mockWebEnvironmentWithoutAServerNeitherDrainsNorLogsAtClose(CapturedOutput output) {
		this.runner.withConfiguration(AutoConfigurations.of(KeepAliveDrainAutoConfiguration.class)).run((context) -> {
			assertThat(context).hasSingleBean(ServerDrain.class);
			ServerDrain drain = context.getBean(ServerDrain.class);
			context.close();
			assertThat(drain.phase()).isEqualTo(DrainPhase.SERVING);
			assertThat(drain.report()).isNull();
		});
		assertThat(output).doesNotContain("Keepalive drain");
	}

	@Test
	void userDefinedDrainReplacesTheAutoConfiguredOne() {
		this.runner.withConfiguration(AutoConfigurations.of(KeepAliveDrainAutoConfiguration.class))
			.withBean("customDrain", ServerDrain.class,
					() -> new ServerDrain(new ServerConnections(
							new ConnectionPolicy(new ServerKeepAliveSettings(Duration.ofSeconds(65),
									Duration.ofSeconds(20), null, null, true, 240, 240, Duration.ofSeconds(5), null)),
							new NewWork(List.of())), (event) -> {
							},
							new DrainSettings(Duration.ZERO, null, Duration.ZERO, Duration.ofSeconds(1), Duration.ZERO,
									Duration.ZERO)))
			.run((context) -> assertThat(context).hasSingleBean(ServerDrain.class).hasBean("customDrain"));
	}

	@Test
	void backsOffWhenDisabled() {
		this.runner.withPropertyValues("keepalive.enabled=false").run(noKeepAliveBeans());
	}

	@Test
	void backsOffWithoutTomcatJettyOrReactorNetty() {
		this.runner
			.withClassLoader(new FilteredClassLoader("org.eclipse.jetty", "org.apache.catalina", "org.apache.coyote",
					"reactor.netty.http.server"))
			.run(noKeepAliveBeans());
	}

	@Test
	void reactiveApplicationOnTomcatGetsTheServerLayerWithoutTheServletWebSocketSupport() {
		this.reactiveRunner.withBean(TomcatReactiveWebServerFactory.class).run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(ServerConnections.class).hasSingleBean(ServerDrain.class);
			assertThat(context.getBeansOfType(WebServerFactoryCustomizer.class).keySet()).containsExactlyInAnyOrder(
					"tomcatKeepAliveCustomizer", "jettyKeepAliveCustomizer", "nettyKeepAliveCustomizer");
			assertThat(context).doesNotHaveBean("keepAliveWebSocketSessions");
		});
	}

	@Test
	void reactiveApplicationOnJettyGetsTheServerLayer() {
		this.reactiveRunner.withBean(JettyReactiveWebServerFactory.class)
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(ServerConnections.class)
				.hasSingleBean(ServerDrain.class));
	}

	@Test
	void reactiveApplicationOnReactorNettyGetsTheServerLayerAndCarriesTheDrainCallerOntoSchedulers() {
		this.reactiveRunner.withBean(NettyReactiveWebServerFactory.class)
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(ServerConnections.class)
				.hasSingleBean(ServerDrain.class)
				.hasBean("nettyKeepAliveCustomizer")
				.hasBean("keepAliveSchedulerCallerPropagation"));
	}

	@Test
	void servletApplicationWithReactorNettyOnTheClasspathInstallsNoSchedulerHook() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean("keepAliveSchedulerCallerPropagation")
			.doesNotHaveBean("keepAliveEventLoopQuietPeriod"));
	}

	@Test
	void backsOffInAReactiveApplicationOnAnotherServer() {
		// Tomcat, Jetty and Reactor Netty are on the classpath, but the application
		// brings a server of its own
		this.reactiveRunner.withBean(ReactiveWebServerFactory.class, () -> (handler) -> Mockito.mock(WebServer.class))
			.run(noKeepAliveBeans());
	}

	@Test
	void backsOffInANonWebApplication() {
		new ApplicationContextRunner().withConfiguration(SERVER_AUTO_CONFIGURATIONS).run(noKeepAliveBeans());
	}

	private static ContextConsumer<ApplicationContext> noKeepAliveBeans() {
		// fails if the context failed to start
		return (context) -> assertThat(context.getBeanDefinitionNames())
			.noneMatch((name) -> name.toLowerCase().contains("keepalive"));
	}

}
