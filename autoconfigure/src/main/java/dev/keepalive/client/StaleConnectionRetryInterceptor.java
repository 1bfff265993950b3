package dev.keepalive.client;

import java.io.IOException;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Retries an idempotent request once when it failed on a reused connection before any
 * response, for libraries that cannot retry by themselves (Reactor Netty and Jetty behind
 * {@code RestClient} and {@code RestTemplate}). The library tells: Reactor Netty by
 * failing with a {@link StaleConnectionException}, Jetty through the
 * {@link ExchangeAttempt} of the calling thread.
 */
final class StaleConnectionRetryInterceptor implements ClientHttpRequestInterceptor {

	private final StaleRetryRecorder recorder;

	StaleConnectionRetryInterceptor(StaleRetryRecorder recorder) {
		this.recorder = recorder;
	}

	@Override
	public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		String method = request.getMethod().name();
		// Every request publishes its own attempt, so none reports into another's
		ExchangeAttempt attempt = ExchangeAttempt.start();
		try {
			return execution.execute(request, body);
		}
		catch (IOException ex) {
			String client = ClientKeepAlivePolicy.isIdempotent(method) ? staleClient(attempt, ex) : null;
			if (client == null) {
				throw ex;
			}
			this.recorder.retried(client, method);
		}
		finally {
			attempt.end();
		}
		ExchangeAttempt retry = ExchangeAttempt.start();
		try {
			return execution.execute(request, body);
		}
		finally {
			retry.end();
		}
	}

	private @Nullable String staleClient(ExchangeAttempt attempt, IOException ex) {
		StaleConnectionException stale = StaleConnectionException.find(ex);
		return (stale != null) ? stale.getClient() : attempt.staleClient();
	}

}
