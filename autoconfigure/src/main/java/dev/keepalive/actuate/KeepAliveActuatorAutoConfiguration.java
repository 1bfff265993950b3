package dev.keepalive.actuate;

import dev.keepalive.drain.KeepAliveDrainAutoConfiguration;
import dev.keepalive.drain.ServerDrain;
import dev.keepalive.server.ServerConnections;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code keepalive} actuator endpoint and health contributor.
 */
@AutoConfiguration(after = KeepAliveDrainAutoConfiguration.class)
@ConditionalOnBean({ ServerConnections.class, ServerDrain.class })
public final class KeepAliveActuatorAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Endpoint.class)
	@ConditionalOnAvailableEndpoint(KeepAliveEndpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		KeepAliveEndpoint keepAliveEndpoint(ServerConnections server, ServerDrain drain) {
			return new KeepAliveEndpoint(server, drain);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HealthIndicator.class)
	@ConditionalOnEnabledHealthIndicator("keepalive")
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "keepaliveHealthIndicator")
		KeepAliveHealthIndicator keepaliveHealthIndicator(ServerConnections server, ServerDrain drain) {
			return new KeepAliveHealthIndicator(server, drain);
		}

	}

}
