package dev.keepalive.server.netty;

import java.time.Duration;

import dev.keepalive.server.ServerConnections;
import dev.keepalive.server.ServerKeepAliveSettings;
import dev.keepalive.server.ServerPropertyOverrides;
import io.netty.channel.ChannelOption;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Applies Keepalive to the Reactor Netty server: handlers on every connection's pipeline
 * that track it, time its idle periods and decide {@code Connection} and
 * {@code Keep-Alive} on each response, and the connector's registration once it is bound.
 */
final class NettyKeepAliveCustomizer implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory>, Ordered {

	/**
	 * After Spring Boot's own {@code NettyReactiveWebServerFactoryCustomizer} (order 0),
	 * whose server customizers (from {@code server.netty.*}) would otherwise run after
	 * this one's and win.
	 */
	static final int ORDER = 100;

	private final ServerConnections serverConnections;

	private final Environment environment;

	NettyKeepAliveCustomizer(ServerConnections serverConnections, Environment environment) {
		this.serverConnections = serverConnections;
		this.environment = environment;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void customize(NettyReactiveWebServerFactory factory) {
		ServerKeepAliveSettings settings = this.serverConnections.policy().settings();
		ServerPropertyOverrides overrides = new ServerPropertyOverrides(this.environment);
		overrides.warnIfDifferent("server.netty.idle-timeout", settings.idleTimeout(), "keepalive.server.idle-timeout");
		if (settings.maxRequestsPerConnection() != null) {
			overrides.warnIfDifferent("server.netty.max-keep-alive-requests", settings.maxRequestsPerConnection(),
					"keepalive.server.max-requests-per-connection");
		}
		factory.addServerCustomizers(this::customize);
	}

	private HttpServer customize(HttpServer server) {
		ServerKeepAliveSettings settings = this.serverConnections.policy().settings();
		HttpServer customized = server;
		if (settings.maxRequestsPerConnection() != null) {
			customized = customized.maxKeepAliveRequests(settings.maxRequestsPerConnection());
		}
		if (customized.configuration().idleTimeout() != null) {
			// Reactor Netty's own idle timeout runs until a request's headers are
			// complete:
			// pushed past both of Keepalive's clocks, it can no longer cut either short
			customized = customized.idleTimeout(backstop(settings));
		}
		int maxRequests = customized.configuration().maxKeepAliveRequests();
		NettyConnectionTracker tracker = new NettyConnectionTracker(this.serverConnections,
				this.serverConnections.newConnectorConnections(), (maxRequests > 0) ? maxRequests : null,
				customized.configuration().isSecure());
		AcceptUntilEmpty allocator = AcceptUntilEmpty
			.wrap(customized.configuration().options().get(ChannelOption.RCVBUF_ALLOCATOR));
		if (allocator != null) {
			customized = customized.option(ChannelOption.RCVBUF_ALLOCATOR, allocator);
		}
		return customized.doOnChannelInit(tracker::channelInitialized)
			.childObserve(tracker::stateChanged)
			.doOnBound(tracker::bound);
	}

	private static Duration backstop(ServerKeepAliveSettings settings) {
		return settings.idleTimeout().plus(settings.headersTimeout()).plusSeconds(1);
	}

}
