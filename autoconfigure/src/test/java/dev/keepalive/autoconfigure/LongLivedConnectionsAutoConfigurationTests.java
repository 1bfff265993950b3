package dev.keepalive.autoconfigure;

import dev.keepalive.drain.KeepAliveDrainAutoConfiguration;
import dev.keepalive.emitter.DrainAwareEmitters;
import dev.keepalive.emitter.DrainAwareFluxes;
import dev.keepalive.emitter.KeepAliveEmitterAutoConfiguration;
import dev.keepalive.emitter.KeepAliveFluxAutoConfiguration;
import dev.keepalive.websocket.KeepAliveWebSocketAutoConfiguration;
import dev.keepalive.websocket.reactive.KeepAliveReactiveWebSocketAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.tomcat.reactive.TomcatReactiveWebServerFactory;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.socket.WebSocketHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * WebSocket and emitter support apply only where Spring WebSocket and Spring MVC are (or
 * WebFlux, for their reactive counterparts), and WebSocket support only with a drain to
 * follow.
 */
class LongLivedConnectionsAutoConfigurationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(KeepAliveServerAutoConfiguration.class, KeepAliveDrainAutoConfiguration.class,
					KeepAliveWebSocketAutoConfiguration.class, KeepAliveEmitterAutoConfiguration.class,
					KeepAliveReactiveWebSocketAutoConfiguration.class, KeepAliveFluxAutoConfiguration.class));

	private final ReactiveWebApplicationContextRunner reactiveRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(KeepAliveServerAutoConfiguration.class, KeepAliveDrainAutoConfiguration.class,
						KeepAliveWebSocketAutoConfiguration.class, KeepAliveEmitterAutoConfiguration.class,
						KeepAliveReactiveWebSocketAutoConfiguration.class, KeepAliveFluxAutoConfiguration.class))
		.withBean(TomcatReactiveWebServerFactory.class);

	@Test
	void webSocketSessionsAndEmittersAreTracked() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(DrainAwareEmitters.class)
			.hasBean("keepAliveWebSocketSessions")
			.hasBean("keepAliveWebSocketHandlerMappingPostProcessor")
			.doesNotHaveBean(DrainAwareFluxes.class)
			.doesNotHaveBean("keepAliveReactiveWebSocketSessions"));
	}

	@Test
	void reactiveWebSocketSessionsAndStreamsAreTrackedInAWebFluxApplication() {
		this.reactiveRunner.run((context) -> assertThat(context).hasSingleBean(DrainAwareFluxes.class)
			.hasBean("keepAliveReactiveWebSocketSessions")
			.hasBean("keepAliveWebSocketHandlerAdapterPostProcessor")
			.doesNotHaveBean(DrainAwareEmitters.class)
			.doesNotHaveBean("keepAliveWebSocketSessions"));
	}

	@Test
	void fluxHelperStaysAvailableWhenKeepaliveIsDisabledSoThatApplicationCodeStillStarts() {
		this.reactiveRunner.withPropertyValues("keepalive.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("keepAliveReactiveWebSocketSessions")
				.hasSingleBean(DrainAwareFluxes.class));
	}

	@Test
	void backsOffWithoutSpringWebSocket() {
		this.runner.withClassLoader(new FilteredClassLoader(WebSocketHandler.class))
			.run((context) -> assertThat(context).doesNotHaveBean("keepAliveWebSocketSessions")
				.hasSingleBean(DrainAwareEmitters.class));
	}

	@Test
	void backsOffWithoutSpringMvc() {
		this.runner.withClassLoader(new FilteredClassLoader(SseEmitter.class))
			.run((context) -> assertThat(context).doesNotHaveBean(DrainAwareEmitters.class));
	}

	@Test
	void emittersStayAvailableWhenKeepaliveIsDisabledSoThatApplicationCodeStillStarts() {
		this.runner.withPropertyValues("keepalive.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("keepAliveWebSocketSessions")
				.hasSingleBean(DrainAwareEmitters.class));
	}

}
