package dev.keepalive.server.netty;

import dev.keepalive.autoconfigure.KeepAliveServerAutoConfiguration;
import dev.keepalive.server.ServerConnections;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.core.env.Environment;

/**
 * Applies Keepalive to the embedded Reactor Netty server.
 */
@AutoConfiguration(after = KeepAliveServerAutoConfiguration.class)
@ConditionalOnClass({ HttpServer.class, NettyReactiveWebServerFactory.class })
@ConditionalOnBean(ServerConnections.class)
public final class NettyKeepAliveAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	NettyKeepAliveCustomizer nettyKeepAliveCustomizer(ServerConnections serverConnections, Environment environment) {
		return new NettyKeepAliveCustomizer(serverConnections, environment);
	}

	@Bean
	@ConditionalOnBean({ NettyReactiveWebServerFactory.class, ReactorResourceFactory.class })
	EventLoopQuietPeriod keepAliveEventLoopQuietPeriod(ReactorResourceFactory resources) {
		return new EventLoopQuietPeriod(resources);
	}

	@Bean
	@ConditionalOnBean(NettyReactiveWebServerFactory.class)
	static SchedulerCallerPropagation keepAliveSchedulerCallerPropagation() {
		return new SchedulerCallerPropagation();
	}

}
