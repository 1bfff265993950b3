package dev.keepalive.server;

import java.time.Duration;

import dev.keepalive.support.Durations;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Warns when a Spring Boot {@code server.*} property that Keepalive overrides is set to a
 * different value. The rule is simple: the {@code keepalive.server.*} value wins.
 */
public final class ServerPropertyOverrides {

	private static final Log logger = LogFactory.getLog(ServerPropertyOverrides.class);

	private final Binder binder;

	public ServerPropertyOverrides(Environment environment) {
		this.binder = Binder.get(environment);
	}

	/**
	 * Log a warning if {@code serverProperty} is set to something other than
	 * {@code applied}.
	 * @param serverProperty the overridden Spring Boot property
	 * @param applied the value Keepalive applies instead
	 * @param keepAliveProperty the Keepalive property that supplies it
	 */
	public void warnIfDifferent(String serverProperty, Object applied, String keepAliveProperty) {
		this.binder.bind(serverProperty, applied.getClass()).ifBound((configured) -> {
			if (!configured.equals(applied)) {
				logger.warn(serverProperty + "=" + format(configured) + " is overridden by " + keepAliveProperty + "="
						+ format(applied) + " (the keepalive.server.* value wins). Remove " + serverProperty
						+ " or set " + keepAliveProperty + " instead.");
			}
		});
	}

	private static String format(Object value) {
		return (value instanceof Duration duration) ? Durations.format(duration) : String.valueOf(value);
	}

}
