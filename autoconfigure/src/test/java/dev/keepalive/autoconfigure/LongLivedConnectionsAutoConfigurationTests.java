package dev.keepalive.autoconfigure;

import dev.keepalive.drain.KeepAliveDrainAutoConfiguration;
import dev.keepalive.emitter.DrainAwareEmitters;
import dev.keepalive.emitter.KeepAliveEmitterAutoConfiguration;
import dev.keepalive.websocket.KeepAliveWebSocketAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.socket.WebSocketHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * WebSocket and emitter support apply only where Spring WebSocket and Spring MVC are, and
 * only with a drain to follow.
 */
class LongLivedConnectionsAutoConfigurationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(KeepAliveServerAutoConfiguration.class, KeepAliveDrainAutoConfiguration.class,
					KeepAliveWebSocketAutoConfiguration.class, KeepAliveEmitterAutoConfiguration.class));

	@Test
	void webSocketSessionsAndEmittersAreTracked() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(DrainAwareEmitters.class)
			.hasBean("keepAliveWebSocketSessions")
			.hasBean("keepAliveWebSocketHandlerMappingPostProcessor"));
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
