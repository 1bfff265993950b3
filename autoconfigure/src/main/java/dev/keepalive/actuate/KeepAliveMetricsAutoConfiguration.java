package dev.keepalive.actuate;

import dev.keepalive.autoconfigure.KeepAliveServerAutoConfiguration;
import dev.keepalive.server.ServerConnections;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Keepalive's Micrometer meters.
 */
@AutoConfiguration(after = { KeepAliveServerAutoConfiguration.class, MetricsAutoConfiguration.class,
		CompositeMeterRegistryAutoConfiguration.class })
@ConditionalOnClass({ MeterRegistry.class, MetricsAutoConfiguration.class })
@ConditionalOnBean({ MeterRegistry.class, ServerConnections.class })
public final class KeepAliveMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	KeepAliveMetrics keepAliveMetrics(ServerConnections server) {
		return new KeepAliveMetrics(server);
	}

}
