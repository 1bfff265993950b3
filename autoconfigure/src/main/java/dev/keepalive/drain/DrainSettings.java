package dev.keepalive.drain;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How a drain runs, from {@code keepalive.shutdown.*}.
 *
 * @param drainDelay how long readiness is down while the server still accepts; with a
 * quiet period, the longest
 * @param quietPeriod how long without new work ends the drain delay early, or
 * {@code null} for a drain delay of fixed length
 * @param minDrainDelay with a quiet period, the least time the drain delay lasts
 * @param timeout how long open connections may take once the server stops accepting
 * @param idleGrace how long an idle connection may still bring a request once the server
 * stops accepting
 * @param upgradedCloseGrace how long an upgraded connection (WebSocket) may take to close
 * once told to, before it is closed regardless
 */
public record DrainSettings(Duration drainDelay, @Nullable Duration quietPeriod, Duration minDrainDelay,
		Duration timeout, Duration idleGrace, Duration upgradedCloseGrace) {

	/**
	 * The same settings with another drain delay and timeout.
	 * @param drainDelay the drain delay (the longest, with a quiet period)
	 * @param timeout the timeout
	 * @return the settings
	 */
	public DrainSettings with(Duration drainDelay, Duration timeout) {
		return new DrainSettings(drainDelay, this.quietPeriod, this.minDrainDelay, timeout, this.idleGrace,
				this.upgradedCloseGrace);
	}

}
