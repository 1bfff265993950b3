package dev.keepalive.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.reflect.Method;
import java.net.SocketException;
import java.time.Duration;

import org.apache.hc.client5.http.HttpRequestRetryStrategy;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.client5.http.async.AsyncExecRuntime;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.classic.ExecRuntime;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.DefaultClientConnectionReuseStrategy;
import org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.HttpComponentsClientHttpConnectorBuilder;
import org.springframework.util.ReflectionUtils;

/**
 * Applies the policy to Apache HttpClient 5, classic ({@code RestClient},
 * {@code RestTemplate}) and async ({@code WebClient}, see {@link Async}), which does all
 * of it natively: the idle limit is checked on lease ({@code ConnectionConfig} idle
 * timeout) and enforced in the background (idle connection evictor); the
 * {@code Keep-Alive} header sets the pool entry's expiry; a retry strategy retries stale
 * failures on reused connections, and the retry gets a fresh connection.
 */
final class HttpComponentsKeepAlive
		implements ClientHttpRequestFactoryBuilderCustomizer<HttpComponentsClientHttpRequestFactoryBuilder> {

	static final String CLIENT = "apache-httpclient";

	private static final String REUSED = HttpComponentsKeepAlive.class.getName() + ".reused";

	private static final String RETRYING = HttpComponentsKeepAlive.class.getName() + ".retrying";

	/**
	 * {@code ConnectionConfig.Builder.setIdleTimeout}, new in HttpClient 5.6 (Spring Boot
	 * 4.1); with 5.5 (Spring Boot 4.0) the keep-alive expiry set on release and the
	 * background eviction do its work.
	 */
	private static final @Nullable Method SET_IDLE_TIMEOUT = ReflectionUtils.findMethod(ConnectionConfig.Builder.class,
			"setIdleTimeout", Timeout.class);

	private final ClientKeepAlivePolicy policy;

	private final StaleRetryRecorder recorder;

	HttpComponentsKeepAlive(ClientKeepAlivePolicy policy, StaleRetryRecorder recorder) {
		this.policy = policy;
		this.recorder = recorder;
	}

	@Override
	public HttpComponentsClientHttpRequestFactoryBuilder customize(
			HttpComponentsClientHttpRequestFactoryBuilder builder) {
		logApplied();
		return builder.withConnectionConfigCustomizer(this::configureConnection)
			.withHttpClientCustomizer(this::configureClient);
	}

	private void logApplied() {
		this.policy.logApplied("Apache HttpClient",
				this.policy.describeMaxIdle() + " (checked on lease, evicted in the background), "
						+ this.policy.describeHeader(true) + ", "
						+ this.policy.describeRetry("HttpClient retry strategy, on a fresh connection"));
	}

	private void configureConnection(ConnectionConfig.Builder connectionConfig) {
		if (SET_IDLE_TIMEOUT != null) {
			ReflectionUtils.invokeMethod(SET_IDLE_TIMEOUT, connectionConfig, Timeout.of(this.policy.maxIdleTime()));
		}
	}

	private void configureClient(HttpClientBuilder client) {
		client.evictIdleConnections(TimeValue.of(this.policy.maxIdleTime()));
		client.evictExpiredConnections();
		// The expiry set on release: the pool refuses an expired entry on lease
		client.setKeepAliveStrategy((response, context) -> asTimeValue(idleLimit(response)));
		client.setConnectionReuseStrategy((request, response, context) -> !idleLimit(response).isZero()
				&& DefaultClientConnectionReuseStrategy.INSTANCE.keepAlive(request, response, context));
		if (this.policy.retryStale()) {
			client.addExecInterceptorBefore(ChainElement.CONNECT.name(), "keepalive-reuse-marker", new ReuseMarker());
			client.setRetryStrategy(new StaleConnectionRetryStrategy(this.recorder));
		}
	}

	private void configureAsyncClient(HttpAsyncClientBuilder client) {
		client.evictIdleConnections(TimeValue.of(this.policy.maxIdleTime()));
		client.evictExpiredConnections();
		client.setKeepAliveStrategy((response, context) -> asTimeValue(idleLimit(response)));
		client.setConnectionReuseStrategy((request, response, context) -> !idleLimit(response).isZero()
				&& DefaultClientConnectionReuseStrategy.INSTANCE.keepAlive(request, response, context));
		if (this.policy.retryStale()) {
			client.addExecInterceptorBefore(ChainElement.CONNECT.name(), "keepalive-reuse-marker",
					new AsyncReuseMarker());
			client.setRetryStrategy(new StaleConnectionRetryStrategy(this.recorder));
		}
	}

	private Duration idleLimit(HttpResponse response) {
		Header header = response.getFirstHeader("Keep-Alive");
		return this.policy.idleLimit((header != null) ? header.getValue() : null);
	}

	private static TimeValue asTimeValue(Duration duration) {
		// A non-positive keep-alive would mean "indefinitely"; zero is refused for reuse
		return TimeValue.ofMilliseconds(Math.max(1, duration.toMillis()));
	}

	/**
	 * Sits just before {@code ConnectExec}: leases the connection itself (ConnectExec
	 * then skips that) and records whether it was already open, that is reused. On the
	 * retry, a reused connection is closed so that ConnectExec opens a fresh one.
	 */
	private static final class ReuseMarker implements ExecChainHandler {

		@Override
		public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
				throws IOException, HttpException {
			ExecRuntime runtime = scope.execRuntime;
			HttpClientContext context = scope.clientContext;
			if (!runtime.isEndpointAcquired()) {
				runtime.acquireEndpoint(scope.exchangeId, scope.route, context.getUserToken(), context);
			}
			if (Boolean.TRUE.equals(context.removeAttribute(RETRYING)) && runtime.isEndpointConnected()) {
				runtime.disconnectEndpoint();
			}
			context.setAttribute(REUSED, runtime.isEndpointConnected());
			return chain.proceed(request, scope);
		}

	}

	/**
	 * The {@link ReuseMarker} of the async client: leases the connection itself, records
	 * whether it was reused, and on the retry closes a reused one.
	 */
	private static final class AsyncReuseMarker implements AsyncExecChainHandler {

		@Override
		public void execute(HttpRequest request, @Nullable AsyncEntityProducer entityProducer,
				AsyncExecChain.Scope scope, AsyncExecChain chain, AsyncExecCallback callback)
				throws HttpException, IOException {
			HttpClientContext context = scope.clientContext;
			if (scope.execRuntime.isEndpointAcquired()) {
				proceed(request, entityProducer, scope, chain, callback);
				return;
			}
			scope.cancellableDependency.setDependency(scope.execRuntime.acquireEndpoint(scope.exchangeId, scope.route,
					context.getUserToken(), context, new FutureCallback<>() {

						@Override
						public void completed(AsyncExecRuntime runtime) {
							try {
								proceed(request, entityProducer, scope, chain, callback);
							}
							catch (HttpException | IOException ex) {
								callback.failed(ex);
							}
						}

						@Override
						public void failed(Exception ex) {
							callback.failed(ex);
						}

						@Override
						public void cancelled() {
							callback.failed(new InterruptedIOException());
						}

					}));
		}

		private void proceed(HttpRequest request, @Nullable AsyncEntityProducer entityProducer,
				AsyncExecChain.Scope scope, AsyncExecChain chain, AsyncExecCallback callback)
				throws HttpException, IOException {
			AsyncExecRuntime runtime = scope.execRuntime;
			HttpClientContext context = scope.clientContext;
			if (Boolean.TRUE.equals(context.removeAttribute(RETRYING)) && runtime.isEndpointConnected()) {
				runtime.disconnectEndpoint();
			}
			context.setAttribute(REUSED, runtime.isEndpointConnected());
			chain.proceed(request, entityProducer, scope, callback);
		}

	}

	/**
	 * Retries once, at once, an idempotent request whose reused connection was closed or
	 * reset before the response; leaves responses (429, 503) to HttpClient's default
	 * strategy.
	 */
	private static final class StaleConnectionRetryStrategy implements HttpRequestRetryStrategy {

		private final StaleRetryRecorder recorder;

		StaleConnectionRetryStrategy(StaleRetryRecorder recorder) {
			this.recorder = recorder;
		}

		@Override
		public boolean retryRequest(HttpRequest request, IOException exception, int execCount, HttpContext context) {
			boolean retry = execCount == 1 && ClientKeepAlivePolicy.isIdempotent(request.getMethod())
					&& Boolean.TRUE.equals(context.getAttribute(REUSED)) && isStaleConnectionFailure(exception);
			if (retry) {
				context.setAttribute(RETRYING, Boolean.TRUE);
				this.recorder.retried(CLIENT, request.getMethod());
			}
			return retry;
		}

		private boolean isStaleConnectionFailure(IOException exception) {
			// No response at all (EOF before the status line; the async client says
			// "connection closed"), or a reset/broken pipe
			return exception instanceof NoHttpResponseException || exception instanceof ConnectionClosedException
					|| exception instanceof SocketException;
		}

		@Override
		public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
			return DefaultHttpRequestRetryStrategy.INSTANCE.retryRequest(response, execCount, context);
		}

		@Override
		public TimeValue getRetryInterval(HttpResponse response, int execCount, HttpContext context) {
			return DefaultHttpRequestRetryStrategy.INSTANCE.getRetryInterval(response, execCount, context);
		}

	}

	/**
	 * For {@code WebClient} on the async client.
	 */
	static final class Async implements ClientHttpConnectorBuilderCustomizer<HttpComponentsClientHttpConnectorBuilder> {

		private final HttpComponentsKeepAlive keepAlive;

		Async(HttpComponentsKeepAlive keepAlive) {
			this.keepAlive = keepAlive;
		}

		@Override
		public HttpComponentsClientHttpConnectorBuilder customize(HttpComponentsClientHttpConnectorBuilder builder) {
			this.keepAlive.logApplied();
			return builder.withConnectionConfigCustomizer(this.keepAlive::configureConnection)
				.withHttpClientCustomizer(this.keepAlive::configureAsyncClient);
		}

	}

}
