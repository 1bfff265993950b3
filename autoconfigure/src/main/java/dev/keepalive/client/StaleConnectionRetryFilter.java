package dev.keepalive.client;

import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * The {@link StaleConnectionRetryInterceptor} of {@code WebClient}: an idempotent
 * exchange that failed with a {@link StaleConnectionException} (reused connection, no
 * response byte) is subscribed to once more.
 */
final class StaleConnectionRetryFilter implements ExchangeFilterFunction {

	private final StaleRetryRecorder recorder;

	StaleConnectionRetryFilter(StaleRetryRecorder recorder) {
		this.recorder = recorder;
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		String method = request.method().name();
		if (!ClientKeepAlivePolicy.isIdempotent(method)) {
			return next.exchange(request);
		}
		return next.exchange(request)
			.onErrorResume((ex) -> StaleConnectionException.find(ex) != null, (ex) -> Mono.defer(() -> {
				StaleConnectionException stale = StaleConnectionException.find(ex);
				this.recorder.retried((stale != null) ? stale.getClient() : "unknown", method);
				return next.exchange(request);
			}));
	}

}
