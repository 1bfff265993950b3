package dev.keepalive.client;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.client.Connection;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.DuplexConnectionPool;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpClientTransport;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.util.IO;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.http.client.JettyClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.JettyClientHttpConnectorBuilder;

/**
 * Applies the policy to the Jetty client. With the plain HTTP/1.1 transport a connection
 * pool refuses, on lease, a connection idle for longer than its limit (max-idle-time or
 * the {@code Keep-Alive} limit) and gives each idle connection that limit as its idle
 * timeout, which closes it in the background. Other transports (TLS) only get the
 * client's idle timeout set to max-idle-time. A request listener records, for the
 * {@link StaleConnectionRetryInterceptor}, whether each attempt got a reused connection
 * and whether its response began.
 */
final class JettyKeepAlive implements ClientHttpRequestFactoryBuilderCustomizer<JettyClientHttpRequestFactoryBuilder> {

	static final String CLIENT = "jetty";

	private final ClientKeepAlivePolicy policy;

	// Weak keys: connections of a transport without our pool are never removed
	private final Map<Connection, ConnectionState> connections = Collections.synchronizedMap(new WeakHashMap<>());

	JettyKeepAlive(ClientKeepAlivePolicy policy) {
		this.policy = policy;
	}

	@Override
	public JettyClientHttpRequestFactoryBuilder customize(JettyClientHttpRequestFactoryBuilder builder) {
		logApplied();
		return builder.withHttpClientTransportCustomizer(this::configureTransport)
			.withHttpClientCustomizer(this::configureClient);
	}

	private void logApplied() {
		this.policy.logApplied("Jetty client",
				this.policy.describeMaxIdle()
						+ " (closed in the background; also checked on lease with the plain HTTP/1.1 transport), "
						+ this.policy.describeHeader(true) + " (plain HTTP/1.1 transport only), "
						+ this.policy.describeRetry("RestClient and RestTemplate; not WebClient"));
	}

	private void configureTransport(HttpClientTransport transport) {
		// TLS uses HttpClientTransportDynamic, whose pool also multiplexes HTTP/2: left
		// alone
		if (transport instanceof HttpClientTransportOverHTTP) {
			transport.setConnectionPoolFactory((destination) -> new KeepAliveConnectionPool(destination,
					destination.getHttpClient().getMaxConnectionsPerDestination()));
		}
	}

	private void configureClient(HttpClient client) {
		// Requests keep the client's idle timeout as their in-flight one (it is also
		// the in-flight one unless a request sets its own)
		long inFlightIdleTimeout = client.getIdleTimeout();
		if (!(client.getHttpClientTransport() instanceof HttpClientTransportOverHTTP)) {
			// No pool of ours (TLS): the client's idle timeout is all there is
			client.setIdleTimeout(this.policy.maxIdleTime().toMillis());
		}
		client.getRequestListeners().addListener(new Request.Listener() {

			@Override
			public void onQueued(Request request) {
				if (request.getIdleTimeout() < 0) {
					request.idleTimeout(inFlightIdleTimeout, TimeUnit.MILLISECONDS);
				}
				ExchangeAttempt attempt = ExchangeAttempt.current();
				if (attempt != null) {
					request.attribute(ExchangeAttempt.class.getName(), attempt);
					request.onResponseBegin((response) -> attempt.onResponseStarted());
				}
				if (JettyKeepAlive.this.policy.honorKeepAliveHeader()) {
					request.onResponseHeaders((response) -> {
						ConnectionState state = stateOf(request.getConnection());
						if (state != null) {
							state.idleLimit = JettyKeepAlive.this.policy
								.idleLimit(response.getHeaders().get("Keep-Alive"));
						}
					});
				}
			}

			@Override
			public void onBegin(Request request) {
				ConnectionState state = stateOf(request.getConnection());
				boolean reused = state != null && state.uses++ > 0;
				if (request.getAttributes().get(ExchangeAttempt.class.getName()) instanceof ExchangeAttempt attempt) {
					attempt.onConnection(CLIENT, reused);
				}
			}

		});
	}

	private @Nullable ConnectionState stateOf(@Nullable Connection connection) {
		if (connection == null) {
			return null;
		}
		return this.connections.computeIfAbsent(connection, (key) -> new ConnectionState(this.policy.maxIdleTime()));
	}

	private static final class ConnectionState {

		volatile int uses;

		volatile Duration idleLimit;

		volatile long releasedAtNanos;

		ConnectionState(Duration idleLimit) {
			this.idleLimit = idleLimit;
		}

		boolean isExpired() {
			long idleNanos = System.nanoTime() - this.releasedAtNanos;
			return this.releasedAtNanos != 0 && idleNanos >= this.idleLimit.toNanos();
		}

	}

	/**
	 * An HTTP/1.1 pool that does not hand out a connection idle for longer than its limit
	 * and that gives each idle connection its own idle timeout.
	 */
	private final class KeepAliveConnectionPool extends DuplexConnectionPool {

		KeepAliveConnectionPool(Destination destination, int maxConnections) {
			super(destination, maxConnections);
		}

		@Override
		protected @Nullable Connection activate() {
			while (true) {
				Connection connection = super.activate();
				ConnectionState state = (connection != null) ? JettyKeepAlive.this.connections.get(connection) : null;
				if (state == null || !state.isExpired()) {
					return connection;
				}
				if (remove(connection)) {
					IO.close(connection);
				}
			}
		}

		@Override
		public boolean release(Connection connection) {
			ConnectionState state = stateOf(connection);
			if (state != null) {
				if (state.idleLimit.isZero()) {
					remove(connection);
					return false;
				}
				state.releasedAtNanos = System.nanoTime();
				if (connection instanceof org.eclipse.jetty.io.Connection ioConnection) {
					ioConnection.getEndPoint().setIdleTimeout(state.idleLimit.toMillis());
				}
			}
			return super.release(connection);
		}

		@Override
		protected void onRemoved(Connection connection) {
			JettyKeepAlive.this.connections.remove(connection);
			super.onRemoved(connection);
		}

	}

	/**
	 * For {@code WebClient} on the Jetty client: idle limits as above; no retry, the
	 * reactive request is not sent from the calling thread.
	 */
	static final class Connector implements ClientHttpConnectorBuilderCustomizer<JettyClientHttpConnectorBuilder> {

		private final JettyKeepAlive keepAlive;

		Connector(JettyKeepAlive keepAlive) {
			this.keepAlive = keepAlive;
		}

		@Override
		public JettyClientHttpConnectorBuilder customize(JettyClientHttpConnectorBuilder builder) {
			this.keepAlive.logApplied();
			return builder.withHttpClientTransportCustomizer(this.keepAlive::configureTransport)
				.withHttpClientCustomizer(this.keepAlive::configureClient);
		}

	}

}
