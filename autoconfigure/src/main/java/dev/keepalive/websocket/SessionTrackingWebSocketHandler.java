package dev.keepalive.websocket;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;

/**
 * Records each session of the decorated handler in {@link WebSocketSessions} while it is
 * open.
 */
final class SessionTrackingWebSocketHandler extends WebSocketHandlerDecorator {

	private final WebSocketSessions sessions;

	SessionTrackingWebSocketHandler(WebSocketHandler delegate, WebSocketSessions sessions) {
		super(delegate);
		this.sessions = sessions;
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) throws Exception {
		this.sessions.opened(session);
		super.afterConnectionEstablished(session);
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) throws Exception {
		this.sessions.closed(session);
		super.afterConnectionClosed(session, closeStatus);
	}

}
