package dev.keepalive.emitter;

import dev.keepalive.drain.KeepAliveDrainAutoConfiguration;
import reactor.core.publisher.Flux;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.DispatcherHandler;

/**
 * {@link DrainAwareFluxes} for WebFlux applications. Application code depends on it, so
 * it exists whether or not Keepalive is enabled (or the server is one it manages):
 * without a drain it just never completes its streams early.
 */
@AutoConfiguration(after = KeepAliveDrainAutoConfiguration.class)
@ConditionalOnClass({ Flux.class, DispatcherHandler.class })
@ConditionalOnWebApplication(type = Type.REACTIVE)
public final class KeepAliveFluxAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	DrainAwareFluxes drainAwareFluxes() {
		return new DrainAwareFluxes();
	}

}
