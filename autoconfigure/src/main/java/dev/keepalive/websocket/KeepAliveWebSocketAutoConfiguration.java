package dev.keepalive.websocket;

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
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.support.WebSocketHandlerMapping;

/**
 * Tells WebSocket clients to reconnect elsewhere (close code 1012) when the drain stops
 * accepting. Spring's servlet WebSocket support only: a reactive application's sessions
 * are not these.
 */
@AutoConfiguration(after = KeepAliveDrainAutoConfiguration.class)
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnClass({ WebSocketHandler.class, WebSocketHandlerMapping.class })
@ConditionalOnBean(ServerDrain.class)
public final class KeepAliveWebSocketAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	WebSocketSessions keepAliveWebSocketSessions(ServerDrain drain) {
		return new WebSocketSessions(drain);
	}

	@Bean
	static WebSocketHandlerMappingPostProcessor keepAliveWebSocketHandlerMappingPostProcessor(
			ObjectProvider<WebSocketSessions> sessions) {
		return new WebSocketHandlerMappingPostProcessor(sessions);
	}

}
