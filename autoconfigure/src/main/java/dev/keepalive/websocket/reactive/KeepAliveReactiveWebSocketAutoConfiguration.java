package dev.keepalive.websocket.reactive;

import dev.keepalive.drain.KeepAliveDrainAutoConfiguration;
import dev.keepalive.drain.ServerDrain;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;

/**
 * Tells the WebSocket clients of a WebFlux application to reconnect elsewhere (close code
 * 1012) when the drain stops accepting.
 */
@AutoConfiguration(after = KeepAliveDrainAutoConfiguration.class)
@ConditionalOnWebApplication(type = Type.REACTIVE)
@ConditionalOnClass(WebSocketHandlerAdapter.class)
@ConditionalOnBean(ServerDrain.class)
public final class KeepAliveReactiveWebSocketAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ReactiveWebSocketSessions keepAliveReactiveWebSocketSessions(ServerDrain drain) {
		return new ReactiveWebSocketSessions(drain);
	}

	@Bean
	static WebSocketHandlerAdapterPostProcessor keepAliveWebSocketHandlerAdapterPostProcessor(
			ObjectProvider<ReactiveWebSocketSessions> sessions) {
		return new WebSocketHandlerAdapterPostProcessor(sessions);
	}

}
