package dev.keepalive.emitter;

import dev.keepalive.drain.KeepAliveDrainAutoConfiguration;
import dev.keepalive.drain.ServerDrain;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@link DrainAwareEmitters} for Spring MVC applications.
 */
@AutoConfiguration(after = KeepAliveDrainAutoConfiguration.class)
@ConditionalOnClass(SseEmitter.class)
@ConditionalOnBean(ServerDrain.class)
public final class KeepAliveEmitterAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	DrainAwareEmitters drainAwareEmitters() {
		return new DrainAwareEmitters();
	}

}
