package dev.keepalive.websocket;

import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.InstantiationAwareBeanPostProcessor;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.support.WebSocketHandlerMapping;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;
import org.springframework.web.socket.sockjs.support.SockJsHttpRequestHandler;

/**
 * Puts session tracking around every WebSocket handler that Spring maps: plain handlers,
 * SockJS and STOMP endpoints alike are registered as request handlers in a
 * {@link WebSocketHandlerMapping}, whose URL map can still be changed right after the
 * mapping is instantiated. (It registers the map as soon as it receives the application
 * context, before any ordinary post-processor runs.) Spring offers no other hook that
 * sees every session.
 */
final class WebSocketHandlerMappingPostProcessor implements InstantiationAwareBeanPostProcessor {

	private final ObjectProvider<WebSocketSessions> sessions;

	WebSocketHandlerMappingPostProcessor(ObjectProvider<WebSocketSessions> sessions) {
		this.sessions = sessions;
	}

	@Override
	@SuppressWarnings("unchecked")
	public boolean postProcessAfterInstantiation(Object bean, String beanName) {
		if (bean instanceof WebSocketHandlerMapping mapping) {
			// mutable by design: "with the option to add or override specific entries"
			((Map<String, Object>) mapping.getUrlMap()).replaceAll(this::tracking);
		}
		return true;
	}

	private Object tracking(String path, Object handler) {
		if (handler instanceof WebSocketHttpRequestHandler requestHandler) {
			WebSocketHandler tracked = track(requestHandler.getWebSocketHandler());
			WebSocketHttpRequestHandler replacement = new WebSocketHttpRequestHandler(tracked,
					requestHandler.getHandshakeHandler()) {

				@Override
				protected WebSocketHandler decorate(WebSocketHandler handler) {
					// already decorated by the handler it replaces
					return handler;
				}

			};
			replacement.setHandshakeInterceptors(requestHandler.getHandshakeInterceptors());
			return replacement;
		}
		if (handler instanceof SockJsHttpRequestHandler requestHandler) {
			return new SockJsHttpRequestHandler(requestHandler.getSockJsService(),
					track(requestHandler.getWebSocketHandler()));
		}
		return handler;
	}

	private WebSocketHandler track(WebSocketHandler handler) {
		return new SessionTrackingWebSocketHandler(handler, this.sessions.getObject());
	}

}
