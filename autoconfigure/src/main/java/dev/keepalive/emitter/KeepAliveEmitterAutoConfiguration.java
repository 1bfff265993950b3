package dev.keepalive.emitter;

import dev.keepalive.drain.KeepAliveDrainAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@link DrainAwareEmitters} for Spring MVC applications. Application code depends on it,
 * so it exists whether or not Keepalive is enabled: without a drain it just never ends
 * its emitters early.
 */
@AutoConfiguration(after = KeepAliveDrainAutoConfiguration.class)
@ConditionalOnClass(SseEmitter.class)
@ConditionalOnWebApplication(type = Type.SERVLET)
public final class KeepAliveEmitterAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	DrainAwareEmitters drainAwareEmitters() {
		return new DrainAwareEmitters();
	}

}
