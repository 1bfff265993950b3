package dev.keepalive.client;

import java.time.Duration;

import dev.keepalive.support.Durations;

import org.springframework.boot.http.client.JdkClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.JdkClientHttpConnectorBuilder;

/**
 * Applies what it can of the policy to the JDK {@code HttpClient}, which has no pool API:
 * only the process-wide system property {@code jdk.httpclient.keepalive.timeout} (whole
 * seconds, read once, when the first {@code java.net.http.HttpClient} of the JVM is
 * created). Idle connections are closed by the client's selector thread, not checked on
 * lease; the internal {@code jdk.internal.httpclient.selectorTimeout} is lowered to one
 * second (its minimum) so that the thread looks at least that often, and the timeout is
 * one second below {@code max-idle-time} to absorb that lag. The {@code Keep-Alive}
 * header is not read by {@code java.net.http}, and the JDK retries only GET and HEAD by
 * itself, out of sight of {@code keepalive.client.retries}. A value already set for
 * either property is kept.
 */
final class JdkKeepAlive implements ClientHttpRequestFactoryBuilderCustomizer<JdkClientHttpRequestFactoryBuilder>,
		ClientHttpConnectorBuilderCustomizer<JdkClientHttpConnectorBuilder> {

	static final String KEEP_ALIVE_TIMEOUT_PROPERTY = "jdk.httpclient.keepalive.timeout";

	static final String SELECTOR_TIMEOUT_PROPERTY = "jdk.internal.httpclient.selectorTimeout";

	private final ClientKeepAlivePolicy policy;

	JdkKeepAlive(ClientKeepAlivePolicy policy) {
		this.policy = policy;
	}

	@Override
	public JdkClientHttpRequestFactoryBuilder customize(JdkClientHttpRequestFactoryBuilder builder) {
		apply();
		return builder;
	}

	@Override
	public JdkClientHttpConnectorBuilder customize(JdkClientHttpConnectorBuilder builder) {
		apply();
		return builder;
	}

	private synchronized void apply() {
		String keepAlive = System.getProperty(KEEP_ALIVE_TIMEOUT_PROPERTY);
		String origin = "already set, kept";
		if (keepAlive == null) {
			keepAlive = Long.toString(keepAliveTimeoutSeconds(this.policy.maxIdleTime()));
			System.setProperty(KEEP_ALIVE_TIMEOUT_PROPERTY, keepAlive);
			origin = "set from keepalive.client.max-idle-time=" + Durations.format(this.policy.maxIdleTime());
			if (System.getProperty(SELECTOR_TIMEOUT_PROPERTY) == null) {
				System.setProperty(SELECTOR_TIMEOUT_PROPERTY, "1000");
			}
		}
		this.policy.logApplied("JDK HttpClient",
				"best effort: idle connections closed after " + keepAlive
						+ "s by the client's selector thread, not checked on lease (process-wide system property "
						+ KEEP_ALIVE_TIMEOUT_PROPERTY + "=" + keepAlive + ", " + origin
						+ "; effective only if no java.net.http.HttpClient was created earlier in this JVM), "
						+ this.policy.describeHeader(false)
						+ ", stale retry NOT applied (the JDK itself retries GET and HEAD once, not counted)");
	}

	/**
	 * One second below {@code max-idle-time}, rounded up, at least one second: the
	 * selector thread closes an expired connection up to a second late.
	 * @param maxIdleTime the policy's idle limit
	 * @return the value for {@code jdk.httpclient.keepalive.timeout}
	 */
	static long keepAliveTimeoutSeconds(Duration maxIdleTime) {
		long seconds = (maxIdleTime.toMillis() + 999) / 1000;
		return Math.max(1, seconds - 1);
	}

}
