package dev.keepalive.websocket.reactive;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.server.ServerWebExchange;

/**
 * Records each session that the decorated service opens in
 * {@link ReactiveWebSocketSessions} while its handler runs.
 */
final class SessionTrackingWebSocketService implements WebSocketService {

	private final WebSocketService delegate;

	private final ReactiveWebSocketSessions sessions;

	SessionTrackingWebSocketService(WebSocketService delegate, ReactiveWebSocketSessions sessions) {
		this.delegate = delegate;
		this.sessions = sessions;
	}

	@Override
	public Mono<Void> handleRequest(ServerWebExchange exchange, WebSocketHandler handler) {
		return this.delegate.handleRequest(exchange, new TrackingHandler(handler));
	}

	private final class TrackingHandler implements WebSocketHandler {

		private final WebSocketHandler delegate;

		TrackingHandler(WebSocketHandler delegate) {
			this.delegate = delegate;
		}

		@Override
		public List<String> getSubProtocols() {
			return this.delegate.getSubProtocols();
		}

		@Override
		public Mono<Void> handle(WebSocketSession session) {
			ReactiveWebSocketSessions sessions = SessionTrackingWebSocketService.this.sessions;
			return Mono.defer(() -> {
				sessions.opened(session);
				return this.delegate.handle(session);
			}).doFinally((signal) -> sessions.closed(session));
		}

	}

}
