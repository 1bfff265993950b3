package dev.keepalive.support;

import java.time.Duration;

/**
 * Formats durations the way they are written in configuration.
 */
public final class Durations {

	private Durations() {
	}

	/**
	 * Format a duration as whole seconds ({@code 65s}) when it is one, else as
	 * milliseconds ({@code 1500ms}).
	 * @param duration the duration
	 * @return the text
	 */
	public static String format(Duration duration) {
		long millis = duration.toMillis();
		return (millis % 1000 == 0) ? (millis / 1000) + "s" : millis + "ms";
	}

}
