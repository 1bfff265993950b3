package dev.keepalive.client;

import java.io.IOException;
import java.time.Duration;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.core.Ordered;

/**
 * Applies the policy to Reactor Netty. The idle limit and the {@code Keep-Alive} limit
 * are an eviction predicate of the connection pool, which reactor-pool tests before it
 * hands out an idle connection and in a background sweep. For the retry, a channel
 * handler turns the close or reset of a reused connection that has a request in flight
 * and no response byte into a {@link StaleConnectionException}; the
 * {@link StaleConnectionRetryInterceptor} and {@link StaleConnectionRetryFilter} retry on
 * it. That works for {@code RestClient}/{@code RestTemplate} too, where Spring's request
 * blocks without a Reactor context.
 */
final class ReactorNettyKeepAlive implements DisposableBean {

	static final String CLIENT = "reactor-netty";

	private static final AttributeKey<Long> IDLE_LIMIT_MILLIS = AttributeKey
		.valueOf(ReactorNettyKeepAlive.class.getName() + ".idleLimitMillis");

	private static final AttributeKey<Long> RESPONSE_END_NANOS = AttributeKey
		.valueOf(ReactorNettyKeepAlive.class.getName() + ".responseEndNanos");

	private static final String HANDLER_NAME = "keepalive.staleConnection";

	private final ClientKeepAlivePolicy policy;

	private @Nullable ConnectionProvider connectionProvider;

	ReactorNettyKeepAlive(ClientKeepAlivePolicy policy) {
		this.policy = policy;
	}

	/**
	 * The pool that replaces Reactor Netty's global one (and the
	 * {@code ReactorResourceFactory}'s) for the clients Spring Boot builds. Otherwise it
	 * has Reactor Netty's defaults. Created on first use, disposed of with the context.
	 * @return the connection provider
	 */
	synchronized ConnectionProvider connectionProvider() {
		if (this.connectionProvider == null) {
			this.connectionProvider = createConnectionProvider();
		}
		return this.connectionProvider;
	}

	@Override
	public synchronized void destroy() {
		if (this.connectionProvider != null) {
			this.connectionProvider.disposeLater().block(Duration.ofSeconds(10));
		}
	}

	private ConnectionProvider createConnectionProvider() {
		long maxIdleMillis = this.policy.maxIdleTime().toMillis();
		// A custom eviction predicate replaces the default one, so it repeats it first
		return ConnectionProvider.builder("keepalive")
			.evictionPredicate((connection, metadata) -> !connection.channel().isActive() || !connection.isPersistent()
					|| metadata.idleTime() >= idleLimitMillis(connection, maxIdleMillis))
			.evictInBackground(Duration.ofMillis(Math.max(100, Math.min(1000, maxIdleMillis / 4))))
			.build();
	}

	/**
	 * Idle time since the response ended, not only since the pool got the connection
	 * back: a caller that is slow to hand it back (a busy machine) must not make it look
	 * younger than it is to the server.
	 */
	private static long idleMillis(Connection connection, long sinceRelease) {
		Long responseEnd = connection.channel().attr(RESPONSE_END_NANOS).get();
		long sinceResponseEnd = (responseEnd != null) ? (System.nanoTime() - responseEnd) / 1_000_000 : 0;
		return Math.max(sinceRelease, sinceResponseEnd);
	}

	private static long idleLimitMillis(Connection connection, long maxIdleMillis) {
		Long limit = connection.channel().attr(IDLE_LIMIT_MILLIS).get();
		return (limit != null) ? limit : maxIdleMillis;
	}

	HttpClient customize(HttpClient client) {
		HttpClient result = client.doAfterResponseSuccess(
				(response, connection) -> connection.channel().attr(RESPONSE_END_NANOS).set(System.nanoTime()));
		if (this.policy.honorKeepAliveHeader()) {
			result = result.doOnResponse((response, connection) -> {
				Duration limit = this.policy.idleLimit(response.responseHeaders().get("Keep-Alive"));
				connection.channel().attr(IDLE_LIMIT_MILLIS).set(limit.toMillis());
			});
		}
		if (this.policy.retryStale()) {
			result = result.doOnChannelInit((observer, channel, remoteAddress) -> addStaleConnectionHandler(channel))
				.doOnRequest((request, connection) -> {
					StaleConnectionHandler handler = connection.channel().pipeline().get(StaleConnectionHandler.class);
					if (handler != null) {
						handler.requestStarted(request.method().name());
					}
				});
		}
		return result;
	}

	private static void addStaleConnectionHandler(Channel channel) {
		ChannelPipeline pipeline = channel.pipeline();
		// Only HTTP/1.1, right after TLS: it must see the response bytes in clear
		if (pipeline.get(NettyPipeline.HttpCodec) != null && pipeline.get(HANDLER_NAME) == null) {
			pipeline.addBefore(NettyPipeline.HttpCodec, HANDLER_NAME, new StaleConnectionHandler());
		}
	}

	String describe() {
		return this.policy.describeMaxIdle() + " (checked on acquire, evicted in the background), "
				+ this.policy.describeHeader(true) + ", "
				+ this.policy.describeRetry("RestClient, RestTemplate and WebClient, HTTP/1.1");
	}

	/**
	 * Watches one channel: a reused channel that closes or resets after a request was
	 * written and before any response byte arrived failed because it was stale. The
	 * original error stays for non-idempotent methods, which are never retried.
	 */
	static final class StaleConnectionHandler extends ChannelDuplexHandler {

		private volatile int requests;

		private volatile String method = "";

		private volatile boolean awaitingResponse;

		private volatile boolean requestWritten;

		private volatile long requestStartedNanos;

		void requestStarted(String method) {
			this.requests++;
			this.method = method;
			this.requestWritten = false;
			this.awaitingResponse = true;
			this.requestStartedNanos = System.nanoTime();
		}

		@Override
		public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
			if (this.awaitingResponse) {
				this.requestWritten = true;
			}
			ctx.write(msg, promise);
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
			this.awaitingResponse = false;
			ctx.fireChannelRead(msg);
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) throws Exception {
			if (isStale()) {
				ctx.fireExceptionCaught(staleConnection("closed", null));
			}
			ctx.fireChannelInactive();
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
			if (cause instanceof IOException && isStale()) {
				ctx.fireExceptionCaught(staleConnection("reset", cause));
				return;
			}
			ctx.fireExceptionCaught(cause);
		}

		private boolean isStale() {
			return this.awaitingResponse && this.requestWritten && this.requests > 1
					&& ClientKeepAlivePolicy.isIdempotent(this.method);
		}

		private StaleConnectionException staleConnection(String how, Throwable cause) {
			this.awaitingResponse = false;
			long waitedMillis = Duration.ofNanos(System.nanoTime() - this.requestStartedNanos).toMillis();
			return new StaleConnectionException(CLIENT,
					"Reused connection " + how + " by the server " + waitedMillis + " ms after " + this.method
							+ " request " + this.requests + " was sent on it, before any response byte",
					cause);
		}

	}

	/**
	 * For {@code RestClient} and {@code RestTemplate}.
	 */
	static final class RequestFactoryCustomizer
			implements ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> {

		private final ReactorNettyKeepAlive keepAlive;

		RequestFactoryCustomizer(ReactorNettyKeepAlive keepAlive) {
			this.keepAlive = keepAlive;
		}

		@Override
		public ReactorClientHttpRequestFactoryBuilder customize(ReactorClientHttpRequestFactoryBuilder builder) {
			this.keepAlive.policy.logApplied("Reactor Netty", this.keepAlive.describe());
			return builder.withHttpClientFactory(() -> HttpClient.create(this.keepAlive.connectionProvider()))
				.withHttpClientCustomizer(this.keepAlive::customize);
		}

	}

	/**
	 * For {@code WebClient}. Runs after Spring Boot's own customizer (order 0) that uses
	 * the {@code ReactorResourceFactory}: its pool is replaced, its event loops are kept.
	 */
	static final class ConnectorCustomizer
			implements ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder>, Ordered {

		private final ReactorNettyKeepAlive keepAlive;

		ConnectorCustomizer(ReactorNettyKeepAlive keepAlive) {
			this.keepAlive = keepAlive;
		}

		@Override
		public ReactorClientHttpConnectorBuilder customize(ReactorClientHttpConnectorBuilder builder) {
			this.keepAlive.policy.logApplied("Reactor Netty", this.keepAlive.describe());
			return builder.withHttpClientFactory(() -> HttpClient.create(this.keepAlive.connectionProvider()))
				.withHttpClientCustomizer(this.keepAlive::customize);
		}

		@Override
		public int getOrder() {
			return 10;
		}

	}

}
