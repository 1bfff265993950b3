package dev.keepalive.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Stops the application when a property under {@code keepalive.} is not one of
 * Keepalive's: a misspelt name would otherwise switch a safety check off without a word.
 * Off with {@code keepalive.strict-properties=false}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "keepalive.strict-properties", matchIfMissing = true)
public final class KeepAlivePropertyNamesAutoConfiguration {

	@Bean
	static KeepAlivePropertyNamesCheck keepAlivePropertyNamesCheck(Environment environment) {
		return new KeepAlivePropertyNamesCheck(environment);
	}

}
