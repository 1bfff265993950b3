package dev.keepalive.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports an {@link InvalidKeepAlivePropertyException} with the property, the value and
 * the fix.
 */
final class InvalidKeepAlivePropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidKeepAlivePropertyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidKeepAlivePropertyException cause) {
		return new FailureAnalysis(cause.getMessage(), cause.getAction(), cause);
	}

}
