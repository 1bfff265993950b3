package dev.keepalive.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Counts stale-connection retries in {@code keepalive.client.retries}, tagged with the
 * client library and the method. The registry is looked up at each retry: retries are
 * rare, and a registry defined later than the HTTP clients is still used.
 */
final class MicrometerStaleRetryRecorder implements StaleRetryRecorder {

	private final ObjectProvider<MeterRegistry> meterRegistry;

	MicrometerStaleRetryRecorder(ObjectProvider<MeterRegistry> meterRegistry) {
		this.meterRegistry = meterRegistry;
	}

	@Override
	public void retried(String client, String method) {
		MeterRegistry registry = this.meterRegistry.getIfUnique();
		if (registry != null) {
			Counter.builder(METER_NAME)
				.description("Idempotent requests sent again after failing on a reused connection before any response")
				.tag("client", client)
				.tag("method", method)
				.register(registry)
				.increment();
		}
	}

}
