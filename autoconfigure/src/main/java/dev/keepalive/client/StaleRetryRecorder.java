package dev.keepalive.client;

/**
 * Records a stale-connection retry, as the {@code keepalive.client.retries} counter when
 * Micrometer is present.
 */
@FunctionalInterface
interface StaleRetryRecorder {

	/**
	 * The counter's name.
	 */
	String METER_NAME = "keepalive.client.retries";

	StaleRetryRecorder NONE = (client, method) -> {
	};

	/**
	 * Called just before a request is sent again.
	 * @param client the client library ({@code apache-httpclient}, {@code reactor-netty},
	 * {@code jetty})
	 * @param method the HTTP method
	 */
	void retried(String client, String method);

}
