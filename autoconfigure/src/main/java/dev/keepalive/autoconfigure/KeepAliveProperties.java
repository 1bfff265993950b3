package dev.keepalive.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties for Keepalive, bound from {@code keepalive.*}.
 * <p>
 * Values are checked when the bean is created: an invalid combination stops the
 * application with a failure analysis that names the property and the fix.
 */
@ConfigurationProperties("keepalive")
public class KeepAliveProperties implements InitializingBean {

	/**
	 * Whether Keepalive is enabled. When false, neither the server, the drain nor the
	 * client part is applied; the DrainAwareEmitters bean remains (without a drain it
	 * only creates emitters) and property names are still checked.
	 */
	private boolean enabled = true;

	/**
	 * Whether a property under 'keepalive.' that Keepalive does not know (a misspelt
	 * name) stops the application at start-up. The failure analysis names the closest
	 * valid property.
	 */
	private boolean strictProperties = true;

	private final Server server = new Server();

	private final Shutdown shutdown = new Shutdown();

	private final Client client = new Client();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public boolean isStrictProperties() {
		return this.strictProperties;
	}

	public void setStrictProperties(boolean strictProperties) {
		this.strictProperties = strictProperties;
	}

	public Server getServer() {
		return this.server;
	}

	public Shutdown getShutdown() {
		return this.shutdown;
	}

	public Client getClient() {
		return this.client;
	}

	@Override
	public void afterPropertiesSet() {
		KeepAlivePropertiesValidator.validate(this);
	}

	/**
	 * Server-side keep-alive settings, applied to the embedded Tomcat or Jetty server.
	 */
	public static class Server {

		/**
		 * How long a connection with no request in progress waits for the next request
		 * (also a new connection that sent nothing yet) before the server closes it. Keep
		 * it longer than the idle timeout of whatever proxies to the application (AWS
		 * ALB: 60s) so that the proxy, not the application, closes idle connections.
		 * Overrides server.tomcat.keep-alive-timeout, server.tomcat.connection-timeout
		 * and server.jetty.connection-idle-timeout.
		 */
		private Duration idleTimeout = Duration.ofSeconds(65);

		/**
		 * Maximum time from the first byte of a request line until the end of its
		 * headers. A connection that exceeds it is closed (slowloris defence). Idle time
		 * between requests is not counted.
		 */
		private Duration headersTimeout = Duration.ofSeconds(20);

		/**
		 * Maximum number of requests served on one connection; the last response carries
		 * 'Connection: close'. When not set, the server's own setting applies
		 * (server.tomcat.max-keep-alive-requests, 100 by default on Tomcat; unlimited on
		 * Jetty).
		 */
		private @Nullable Integer maxRequestsPerConnection;

		/**
		 * Maximum age of a connection, with +/-10% jitter per connection. The first
		 * response after it is reached carries 'Connection: close', so long-lived clients
		 * rebalance after a scale-out. When not set, connections have no age limit.
		 */
		private @Nullable Duration maxConnectionAge;

		/**
		 * Whether keep-alive responses carry 'Keep-Alive: timeout=N', N being the idle
		 * timeout in whole seconds, so that clients can stop reusing a connection before
		 * the server closes it.
		 */
		private boolean advertiseIdleTimeout = true;

		/**
		 * Idle timeout of the load balancer or proxy in front of the application (AWS
		 * ALB: 60s). When set, start-up fails unless the idle timeout exceeds it by at
		 * least 1s.
		 */
		private @Nullable Duration upstreamIdleTimeout;

		/**
		 * Minimum rate, per second, at which a client must send a request body that the
		 * application is waiting for, once it has waited min-data-rate-grace in all. A
		 * slower request ends with '408 Request Timeout' (if its response has not
		 * started) and its connection closes. Time the application spends not reading, or
		 * reading data already received, does not count. HTTP/1.1 only. 0B turns it off.
		 */
		private DataSize minRequestBodyRate = DataSize.ofBytes(240);

		/**
		 * Minimum rate, per second, at which a client must take a response that the
		 * server is waiting to send. The client may fall behind it by min-data-rate-grace
		 * worth of bytes (a client that stops reading is closed one grace later); its
		 * connection is then reset. A response the server writes slowly is not held
		 * against its client. Read from the kernel: Linux only, off elsewhere. HTTP/1.1
		 * only. 0B turns it off.
		 */
		private DataSize minResponseRate = DataSize.ofBytes(240);

		/**
		 * How long the application may wait for a request body, or for a client to take a
		 * response, before their minimum rates count: time for a slow client to get
		 * going.
		 */
		private Duration minDataRateGrace = Duration.ofSeconds(5);

		private final Pressure pressure = new Pressure();

		public Duration getIdleTimeout() {
			return this.idleTimeout;
		}

		public void setIdleTimeout(Duration idleTimeout) {
			this.idleTimeout = idleTimeout;
		}

		public Duration getHeadersTimeout() {
			return this.headersTimeout;
		}

		public void setHeadersTimeout(Duration headersTimeout) {
			this.headersTimeout = headersTimeout;
		}

		public @Nullable Integer getMaxRequestsPerConnection() {
			return this.maxRequestsPerConnection;
		}

		public void setMaxRequestsPerConnection(@Nullable Integer maxRequestsPerConnection) {
			this.maxRequestsPerConnection = maxRequestsPerConnection;
		}

		public @Nullable Duration getMaxConnectionAge() {
			return this.maxConnectionAge;
		}

		public void setMaxConnectionAge(@Nullable Duration maxConnectionAge) {
			this.maxConnectionAge = maxConnectionAge;
		}

		public boolean isAdvertiseIdleTimeout() {
			return this.advertiseIdleTimeout;
		}

		public void setAdvertiseIdleTimeout(boolean advertiseIdleTimeout) {
			this.advertiseIdleTimeout = advertiseIdleTimeout;
		}

		public @Nullable Duration getUpstreamIdleTimeout() {
			return this.upstreamIdleTimeout;
		}

		public void setUpstreamIdleTimeout(@Nullable Duration upstreamIdleTimeout) {
			this.upstreamIdleTimeout = upstreamIdleTimeout;
		}

		public DataSize getMinRequestBodyRate() {
			return this.minRequestBodyRate;
		}

		public void setMinRequestBodyRate(DataSize minRequestBodyRate) {
			this.minRequestBodyRate = minRequestBodyRate;
		}

		public DataSize getMinResponseRate() {
			return this.minResponseRate;
		}

		public void setMinResponseRate(DataSize minResponseRate) {
			this.minResponseRate = minResponseRate;
		}

		public Duration getMinDataRateGrace() {
			return this.minDataRateGrace;
		}

		public void setMinDataRateGrace(Duration minDataRateGrace) {
			this.minDataRateGrace = minDataRateGrace;
		}

		public Pressure getPressure() {
			return this.pressure;
		}

	}

	/**
	 * Keep-alive that yields when a connector runs out of connections: past the
	 * high-water mark, the idle timeout shrinks toward its floor in proportion (the
	 * advertised Keep-Alive timeout follows) and the idle connections beyond the mark are
	 * closed, those idle longest first.
	 */
	public static class Pressure {

		/**
		 * Whether keep-alive yields under connection pressure.
		 */
		private boolean enabled = true;

		/**
		 * Fraction of the maximum connections above which a connector is under pressure.
		 */
		private double highWaterMark = 0.8;

		/**
		 * The shortest idle timeout pressure shrinks to, reached at the maximum
		 * connections. An idle timeout shorter than this does not shrink.
		 */
		private Duration minIdleTimeout = Duration.ofSeconds(5);

		/**
		 * Open connections per connector that pressure is measured against. When unset,
		 * the server's own limit: Tomcat's server.tomcat.max-connections, Jetty's
		 * server.jetty.max-connections; a Jetty connector with neither is never under
		 * pressure.
		 */
		private @Nullable Integer maxConnections;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public double getHighWaterMark() {
			return this.highWaterMark;
		}

		public void setHighWaterMark(double highWaterMark) {
			this.highWaterMark = highWaterMark;
		}

		public Duration getMinIdleTimeout() {
			return this.minIdleTimeout;
		}

		public void setMinIdleTimeout(Duration minIdleTimeout) {
			this.minIdleTimeout = minIdleTimeout;
		}

		public @Nullable Integer getMaxConnections() {
			return this.maxConnections;
		}

		public void setMaxConnections(@Nullable Integer maxConnections) {
			this.maxConnections = maxConnections;
		}

	}

	/**
	 * Phased drain of the HTTP server when the application context closes.
	 */
	public static class Shutdown {

		/**
		 * Whether the phased drain runs when the application context closes.
		 */
		private boolean enabled = true;

		/**
		 * How long readiness reports REFUSING_TRAFFIC while the server keeps serving
		 * (every response with 'Connection: close') before it stops accepting. Give the
		 * load balancer time to notice. With a quiet period, the longest it lasts.
		 * Defaults to 5s on Kubernetes and 0s elsewhere.
		 */
		private @Nullable Duration drainDelay;

		/**
		 * End the drain delay early once no new work has arrived for this long: no
		 * request other than a probe (see probe-paths), on a new connection or an open
		 * one. The drain delay is then the maximum. 0s turns it off (the drain delay
		 * always runs its full length). Defaults to 1s on Kubernetes and off elsewhere.
		 */
		private @Nullable Duration quietPeriod;

		/**
		 * With a quiet period, the least time the drain delay lasts, however quiet: time
		 * for the load balancer to take the instance out when no traffic shows whether it
		 * has. Defaults to 2s on Kubernetes and 0s elsewhere.
		 */
		private @Nullable Duration minDrainDelay;

		/**
		 * Paths of the platform's probes, each with the paths under it: requests to them
		 * are not new work for the quiet period. Defaults to the actuator health endpoint
		 * on the application's port (context path and management.endpoints.web.base-path
		 * included).
		 */
		private @Nullable List<String> probePaths;

		/**
		 * Maximum time to wait for open connections to finish once the server has stopped
		 * accepting. What is still open then is closed.
		 */
		private Duration timeout = Duration.ofSeconds(30);

		/**
		 * Once the server stops accepting, how long an idle connection may still bring
		 * one request (answered with 'Connection: close') before it is closed: a client
		 * that sent its request just before then is still served. 0 closes idle
		 * connections at once.
		 */
		private Duration idleGrace = Duration.ofSeconds(1);

		/**
		 * How long an upgraded connection (WebSocket) may take to close after the drain
		 * sends it a close frame with code 1012 (Service Restart) before it is closed
		 * regardless.
		 */
		private Duration websocketCloseGrace = Duration.ofSeconds(1);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public @Nullable Duration getDrainDelay() {
			return this.drainDelay;
		}

		public void setDrainDelay(@Nullable Duration drainDelay) {
			this.drainDelay = drainDelay;
		}

		public @Nullable Duration getQuietPeriod() {
			return this.quietPeriod;
		}

		public void setQuietPeriod(@Nullable Duration quietPeriod) {
			this.quietPeriod = quietPeriod;
		}

		public @Nullable Duration getMinDrainDelay() {
			return this.minDrainDelay;
		}

		public void setMinDrainDelay(@Nullable Duration minDrainDelay) {
			this.minDrainDelay = minDrainDelay;
		}

		public @Nullable List<String> getProbePaths() {
			return this.probePaths;
		}

		public void setProbePaths(@Nullable List<String> probePaths) {
			this.probePaths = probePaths;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public Duration getIdleGrace() {
			return this.idleGrace;
		}

		public void setIdleGrace(Duration idleGrace) {
			this.idleGrace = idleGrace;
		}

		public Duration getWebsocketCloseGrace() {
			return this.websocketCloseGrace;
		}

		public void setWebsocketCloseGrace(Duration websocketCloseGrace) {
			this.websocketCloseGrace = websocketCloseGrace;
		}

	}

	/**
	 * Outbound keep-alive safety for the HTTP clients that Spring Boot builds.
	 */
	public static class Client {

		/**
		 * Whether the policy is applied to the HTTP clients behind RestClient.Builder,
		 * RestTemplateBuilder and WebClient.Builder.
		 */
		private boolean enabled = true;

		/**
		 * A pooled connection idle for longer than this is never reused. Keep it shorter
		 * than the keep-alive timeout of the servers you call.
		 */
		private Duration maxIdleTime = Duration.ofSeconds(4);

		/**
		 * Whether a connection whose server sent 'Keep-Alive: timeout=N' is not reused
		 * after N-1 seconds of idleness, even when max-idle-time is longer.
		 */
		private boolean honorKeepAliveHeader = true;

		/**
		 * Whether an idempotent request that fails on a reused connection before any
		 * response byte is retried once on a fresh connection.
		 */
		private boolean retryStale = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getMaxIdleTime() {
			return this.maxIdleTime;
		}

		public void setMaxIdleTime(Duration maxIdleTime) {
			this.maxIdleTime = maxIdleTime;
		}

		public boolean isHonorKeepAliveHeader() {
			return this.honorKeepAliveHeader;
		}

		public void setHonorKeepAliveHeader(boolean honorKeepAliveHeader) {
			this.honorKeepAliveHeader = honorKeepAliveHeader;
		}

		public boolean isRetryStale() {
			return this.retryStale;
		}

		public void setRetryStale(boolean retryStale) {
			this.retryStale = retryStale;
		}

	}

}
