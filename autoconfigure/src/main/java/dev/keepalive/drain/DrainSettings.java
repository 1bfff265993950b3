package dev.keepalive.drain;

import java.time.Duration;

/**
 * How a drain runs, from {@code keepalive.shutdown.*}.
 *
 * @param drainDelay how long readiness is down while the server still accepts
 * @param timeout how long open connections may take once the server stops accepting
 * @param idleGrace how long an idle connection may still bring a request once the server
 * stops accepting
 * @param upgradedCloseGrace how long an upgraded connection (WebSocket) may take to close
 * once told to, before it is closed regardless
 */
public record DrainSettings(Duration drainDelay, Duration timeout, Duration idleGrace, Duration upgradedCloseGrace) {

	/**
	 * The same settings with another drain delay and timeout.
	 * @param drainDelay the drain delay
	 * @param timeout the timeout
	 * @return the settings
	 */
	public DrainSettings with(Duration drainDelay, Duration timeout) {
		return new DrainSettings(drainDelay, timeout, this.idleGrace, this.upgradedCloseGrace);
	}

}
