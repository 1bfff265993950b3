package dev.keepalive.testsupport;

import java.util.Map;

import dev.keepalive.drain.ServerDrain;
import dev.keepalive.emitter.DrainAwareFluxes;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.ObjectProvider;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import org.springframework.web.reactive.socket.server.upgrade.StandardWebSocketUpgradeStrategy;
import org.springframework.web.server.WebFilter;

/**
 * The WebFlux counterpart of {@link LongLivedConnectionsConfig}: a WebSocket echo handler
 * at {@code /ws/echo}, the same at {@code /ws/late} with a handshake held until the drain
 * stops accepting, and an SSE stream at {@code /ticks} made with
 * {@link DrainAwareFluxes}.
 */
@Configuration(proxyBeanMethods = false)
@Import(ReactiveLongLivedConnectionsConfig.Sse.class)
public class ReactiveLongLivedConnectionsConfig implements WebFluxConfigurer {

	private final Environment environment;

	ReactiveLongLivedConnectionsConfig(Environment environment) {
		this.environment = environment;
	}

	/**
	 * Spring picks its Jetty upgrade strategy whenever Jetty is on the classpath; the
	 * Tomcat and Reactor Netty runs ask for the one Spring picks in an application that
	 * has only their server.
	 */
	@Override
	public WebSocketService getWebSocketService() {
		ServerKind server = ServerKind.valueOf(this.environment.getProperty(TestApp.SERVER_PROPERTY));
		return switch (server) {
			case TOMCAT -> new HandshakeWebSocketService(new StandardWebSocketUpgradeStrategy());
			case JETTY -> new HandshakeWebSocketService();
			case NETTY -> new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy());
		};
	}

	@Bean
	HandlerMapping webSocketMapping() {
		WebSocketHandler echo = (session) -> session
			.send(session.receive().map((message) -> session.textMessage(message.getPayloadAsText())));
		// a lambda, not a bean: Keepalive must still see its sessions
		return new SimpleUrlHandlerMapping(Map.of("/ws/echo", echo, "/ws/late", echo), -1);
	}

	@Bean
	WebFilter lateWebSocketHandshake(ObjectProvider<ServerDrain> drain) {
		return (exchange, chain) -> {
			if (!exchange.getRequest().getPath().value().equals("/ws/late")) {
				return chain.filter(exchange);
			}
			return Mono.fromRunnable(() -> LongLivedConnectionsConfig.awaitDraining(drain.getObject()))
				.subscribeOn(Schedulers.boundedElastic())
				.then(chain.filter(exchange));
		};
	}

	@RestController
	static class Sse {

		private final DrainAwareFluxes fluxes;

		Sse(DrainAwareFluxes fluxes) {
			this.fluxes = fluxes;
		}

		@GetMapping("/ticks")
		Flux<ServerSentEvent<String>> ticks() {
			Flux<ServerSentEvent<String>> ticks = Flux.concat(Flux.just(ServerSentEvent.builder("tick 0").build()),
					Flux.never());
			return ticks.transform(this.fluxes::completeOnDrain);
		}

	}

}
