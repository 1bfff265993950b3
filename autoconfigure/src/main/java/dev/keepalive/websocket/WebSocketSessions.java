package dev.keepalive.websocket;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.keepalive.drain.DrainPhase;
import dev.keepalive.drain.DrainPhaseChangedEvent;
import dev.keepalive.drain.ServerDrain;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationListener;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;

/**
 * The open WebSocket sessions of the application's handlers. When the drain stops
 * accepting, each receives a close frame with code 1012 (Service Restart), telling its
 * client to reconnect elsewhere; the drain force-closes those that do not close within
 * {@code keepalive.shutdown.websocket-close-grace}.
 */
final class WebSocketSessions implements ApplicationListener<DrainPhaseChangedEvent> {

	static final CloseStatus SERVICE_RESTART = CloseStatus.SERVICE_RESTARTED
		.withReason("Server is draining, reconnect");

	private static final Log logger = LogFactory.getLog(WebSocketSessions.class);

	private final Set<WebSocketSession> sessions = ConcurrentHashMap.newKeySet();

	private final ServerDrain drain;

	WebSocketSessions(ServerDrain drain) {
		this.drain = drain;
	}

	void opened(WebSocketSession session) {
		this.sessions.add(session);
		if (this.drain.phase().compareTo(DrainPhase.DRAINING) >= 0) {
			// its handshake was still in flight when the drain stopped accepting (the
			// phase is set before the event: this or the event's loop sees the session)
			tellToReconnect(session);
		}
	}

	void closed(WebSocketSession session) {
		this.sessions.remove(session);
	}

	@Override
	public void onApplicationEvent(DrainPhaseChangedEvent event) {
		if (event.getPhase() != DrainPhase.DRAINING) {
			return;
		}
		int told = 0;
		for (WebSocketSession session : this.sessions) {
			told += tellToReconnect(session) ? 1 : 0;
		}
		if (told > 0) {
			logger.info("Keepalive sent close code 1012 (Service Restart) to " + told + " WebSocket sessions");
		}
	}

	/**
	 * Send the session its close frame, unless another thread (the event or its opening)
	 * already has.
	 */
	private boolean tellToReconnect(WebSocketSession session) {
		if (!this.sessions.remove(session)) {
			return false;
		}
		try {
			session.close(SERVICE_RESTART);
		}
		catch (IOException | RuntimeException ex) {
			// the drain force-closes it after the grace
			logger.debug("Could not send a close frame to WebSocket session " + session.getId(), ex);
		}
		return true;
	}

}
