package dev.keepalive.server.netty;

import java.time.Duration;

import dev.keepalive.drain.DrainPhase;
import dev.keepalive.drain.DrainPhaseChangedEvent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationListener;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Once the drain has stopped, no connection is left for Reactor Netty's event loops to
 * wait for: their shutdown quiet period
 * ({@code spring.reactor.netty.shutdown-quiet-period}, 2 s by default, restarted by every
 * task) would otherwise come on top of the drain, and exit would no longer be bounded by
 * the drain delay and timeout.
 */
final class EventLoopQuietPeriod implements ApplicationListener<DrainPhaseChangedEvent> {

	private static final Log logger = LogFactory.getLog(EventLoopQuietPeriod.class);

	private final ReactorResourceFactory resources;

	EventLoopQuietPeriod(ReactorResourceFactory resources) {
		this.resources = resources;
	}

	@Override
	public void onApplicationEvent(DrainPhaseChangedEvent event) {
		if (event.getPhase() == DrainPhase.STOPPED) {
			logger.debug("Reactor Netty's shutdown quiet period is cut to 0: the drain has closed every connection");
			this.resources.setShutdownQuietPeriod(Duration.ZERO);
		}
	}

}
