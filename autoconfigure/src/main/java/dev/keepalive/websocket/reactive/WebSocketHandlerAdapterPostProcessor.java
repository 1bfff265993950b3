package dev.keepalive.websocket.reactive;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;

/**
 * Puts session tracking around the WebSocket service of the application's
 * {@link WebSocketHandlerAdapter}: every WebFlux WebSocket session is handed to its
 * handler through it, whether the handler is a bean or not. The adapter keeps its service
 * in a final field, so a plain adapter is replaced by one around the tracking service; a
 * subclass is left alone.
 */
final class WebSocketHandlerAdapterPostProcessor implements BeanPostProcessor {

	private final ObjectProvider<ReactiveWebSocketSessions> sessions;

	WebSocketHandlerAdapterPostProcessor(ObjectProvider<ReactiveWebSocketSessions> sessions) {
		this.sessions = sessions;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean.getClass() == WebSocketHandlerAdapter.class) {
			WebSocketHandlerAdapter adapter = (WebSocketHandlerAdapter) bean;
			WebSocketHandlerAdapter tracking = new WebSocketHandlerAdapter(
					new SessionTrackingWebSocketService(adapter.getWebSocketService(), this.sessions.getObject()));
			tracking.setOrder(adapter.getOrder());
			return tracking;
		}
		return bean;
	}

}
