package dev.keepalive.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports an {@link UnknownKeepAlivePropertyException}: each unknown name with where it
 * was set and the closest valid name.
 */
final class UnknownKeepAlivePropertyFailureAnalyzer extends AbstractFailureAnalyzer<UnknownKeepAlivePropertyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnknownKeepAlivePropertyException cause) {
		String description = "Keepalive does not know these properties, so they would have no effect:\n"
				+ cause.getMessage();
		String action = "Correct the names (Keepalive's properties are listed in its README), or set"
				+ " keepalive.strict-properties=false to allow properties under 'keepalive.' that Keepalive does not know.";
		return new FailureAnalysis(description, action, cause);
	}

}
