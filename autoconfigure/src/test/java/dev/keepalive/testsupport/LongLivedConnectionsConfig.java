package dev.keepalive.testsupport;

import java.time.Duration;
import java.util.Map;

import dev.keepalive.drain.DrainPhase;
import dev.keepalive.drain.ServerDrain;
import dev.keepalive.emitter.DrainAwareEmitters;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.socket.server.HandshakeHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.socket.server.standard.StandardWebSocketUpgradeStrategy;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

import static org.awaitility.Awaitility.await;

/**
 * Long-lived connections: a plain WebSocket echo handler at {@code /ws/echo}, the same at
 * {@code /ws/late} with a handshake held until the drain stops accepting, and over SockJS
 * at {@code /sockjs}, a STOMP endpoint at {@code /stomp}, and an SSE stream at
 * {@code /ticks} made with {@link DrainAwareEmitters}.
 */
@Configuration(proxyBeanMethods = false)
@Import({ LongLivedConnectionsConfig.PlainWebSocket.class, LongLivedConnectionsConfig.Stomp.class,
		LongLivedConnectionsConfig.Sse.class })
public class LongLivedConnectionsConfig {

	/**
	 * Spring picks its Jetty upgrade strategy whenever Jetty is on the classpath; the
	 * tests have both servers there, so the Tomcat runs ask for the standard one, which
	 * is what Spring picks in an application that has only Tomcat.
	 */
	static HandshakeHandler handshakeHandler(Environment environment) {
		return ServerKind.TOMCAT.name().equals(environment.getProperty(TestApp.SERVER_PROPERTY))
				? new DefaultHandshakeHandler(new StandardWebSocketUpgradeStrategy()) : new DefaultHandshakeHandler();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableWebSocket
	static class PlainWebSocket implements WebSocketConfigurer {

		private final Environment environment;

		private final ObjectProvider<ServerDrain> drain;

		PlainWebSocket(Environment environment, ObjectProvider<ServerDrain> drain) {
			this.environment = environment;
			this.drain = drain;
		}

		@Override
		public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
			// created inline, not a bean: Keepalive must still see its sessions
			registry.addHandler(new EchoHandler(), "/ws/echo").setHandshakeHandler(handshakeHandler(this.environment));
			registry.addHandler(new EchoHandler(), "/ws/late")
				.setHandshakeHandler(handshakeHandler(this.environment))
				.addInterceptors(new UntilDraining(this.drain));
			registry.addHandler(new EchoHandler(), "/sockjs")
				.setHandshakeHandler(handshakeHandler(this.environment))
				.withSockJS();
		}

	}

	/**
	 * Holds a handshake until the drain has stopped accepting.
	 */
	record UntilDraining(ObjectProvider<ServerDrain> drain) implements HandshakeInterceptor {

		@Override
		public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
				Map<String, Object> attributes) {
			awaitDraining(this.drain.getObject());
			return true;
		}

		@Override
		public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
				Exception exception) {
		}

	}

	static void awaitDraining(ServerDrain drain) {
		await().atMost(Duration.ofSeconds(20)).until(() -> drain.phase().compareTo(DrainPhase.DRAINING) >= 0);
	}

	static class EchoHandler extends TextWebSocketHandler {

		@Override
		protected void handleTextMessage(WebSocketSession session, TextMessage message) throws Exception {
			session.sendMessage(message);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableWebSocketMessageBroker
	static class Stomp implements WebSocketMessageBrokerConfigurer {

		private final Environment environment;

		Stomp(Environment environment) {
			this.environment = environment;
		}

		@Override
		public void registerStompEndpoints(StompEndpointRegistry registry) {
			registry.addEndpoint("/stomp").setHandshakeHandler(handshakeHandler(this.environment));
		}

		@Override
		public void configureMessageBroker(MessageBrokerRegistry registry) {
			registry.enableSimpleBroker("/topic");
		}

	}

	@RestController
	static class Sse {

		private final DrainAwareEmitters emitters;

		Sse(DrainAwareEmitters emitters) {
			this.emitters = emitters;
		}

		@GetMapping("/ticks")
		SseEmitter ticks() throws Exception {
			SseEmitter emitter = this.emitters.sse();
			emitter.send(SseEmitter.event().data("tick 0"));
			return emitter;
		}

	}

}
