package dev.keepalive.sample;

import java.util.Map;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;

/**
 * The WebFlux WebSocket echo at {@code /ws/echo}: during a drain its clients receive
 * close code 1012 (Service Restart).
 */
@ConditionalOnWebApplication(type = Type.REACTIVE)
@Configuration(proxyBeanMethods = false)
class ReactiveEchoWebSocketConfiguration {

	@Bean
	HandlerMapping echoWebSocketMapping() {
		WebSocketHandler echo = (session) -> session
			.send(session.receive().map((message) -> session.textMessage(message.getPayloadAsText())));
		return new SimpleUrlHandlerMapping(Map.of("/ws/echo", echo), -1);
	}

}
