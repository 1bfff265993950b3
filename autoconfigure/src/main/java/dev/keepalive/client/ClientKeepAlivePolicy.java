package dev.keepalive.client;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.keepalive.autoconfigure.KeepAliveProperties;
import dev.keepalive.support.Durations;

/**
 * The outbound keep-alive policy ({@code keepalive.client.*}) in the form the
 * library-specific adapters apply it.
 */
final class ClientKeepAlivePolicy {

	private static final Log logger = LogFactory.getLog(ClientKeepAlivePolicy.class);

	private static final Set<String> IDEMPOTENT_METHODS = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

	private final Duration maxIdleTime;

	private final boolean honorKeepAliveHeader;

	private final boolean retryStale;

	private final Set<String> loggedLibraries = ConcurrentHashMap.newKeySet();

	ClientKeepAlivePolicy(Duration maxIdleTime, boolean honorKeepAliveHeader, boolean retryStale) {
		this.maxIdleTime = maxIdleTime;
		this.honorKeepAliveHeader = honorKeepAliveHeader;
		this.retryStale = retryStale;
	}

	static ClientKeepAlivePolicy of(KeepAliveProperties.Client client) {
		return new ClientKeepAlivePolicy(client.getMaxIdleTime(), client.isHonorKeepAliveHeader(),
				client.isRetryStale());
	}

	Duration maxIdleTime() {
		return this.maxIdleTime;
	}

	boolean honorKeepAliveHeader() {
		return this.honorKeepAliveHeader;
	}

	boolean retryStale() {
		return this.retryStale;
	}

	/**
	 * How long a connection may stay idle in the pool, given the {@code Keep-Alive}
	 * header of the last response on it: {@code max-idle-time}, or {@code N-1} seconds
	 * when the server said {@code timeout=N} and that is shorter. One second of margin
	 * covers the round trip and the server's timer granularity.
	 * @param keepAliveHeader the value of the response's {@code Keep-Alive} header
	 * @return the idle limit, zero when the connection must not be reused at all
	 */
	Duration idleLimit(@Nullable String keepAliveHeader) {
		if (!this.honorKeepAliveHeader) {
			return this.maxIdleTime;
		}
		Long timeout = parseKeepAliveTimeout(keepAliveHeader);
		if (timeout == null) {
			return this.maxIdleTime;
		}
		Duration fromHeader = Duration.ofSeconds(Math.max(0, timeout - 1));
		return (fromHeader.compareTo(this.maxIdleTime) < 0) ? fromHeader : this.maxIdleTime;
	}

	static boolean isIdempotent(String method) {
		return IDEMPOTENT_METHODS.contains(method.toUpperCase(Locale.ROOT));
	}

	static @Nullable Long parseKeepAliveTimeout(@Nullable String headerValue) {
		if (headerValue == null) {
			return null;
		}
		for (String parameter : headerValue.split(",")) {
			int equals = parameter.indexOf('=');
			if (equals > 0 && parameter.substring(0, equals).trim().equalsIgnoreCase("timeout")) {
				try {
					return Long.parseLong(parameter.substring(equals + 1).trim().replace("\"", ""));
				}
				catch (NumberFormatException ex) {
					return null;
				}
			}
		}
		return null;
	}

	/**
	 * Logs, once per library, what the policy does for it.
	 * @param library the library name, as in the log line and the retry counter's tag
	 * @param applied what is applied, in words
	 */
	void logApplied(String library, String applied) {
		if (this.loggedLibraries.add(library)) {
			logger.info("Keepalive client policy for " + library + ": " + applied);
		}
	}

	String describeMaxIdle() {
		return "max idle " + Durations.format(this.maxIdleTime);
	}

	String describeHeader(boolean supported) {
		if (!this.honorKeepAliveHeader) {
			return "Keep-Alive header not honoured (keepalive.client.honor-keep-alive-header=false)";
		}
		return supported ? "Keep-Alive header honoured (N-1 s)"
				: "Keep-Alive header NOT honoured (the library offers no hook for it)";
	}

	String describeRetry(String how) {
		return this.retryStale ? "stale retry on for idempotent methods (" + how + ")"
				: "stale retry off (keepalive.client.retry-stale=false)";
	}

}
