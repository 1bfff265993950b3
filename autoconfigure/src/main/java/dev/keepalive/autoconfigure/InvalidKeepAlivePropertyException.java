package dev.keepalive.autoconfigure;

/**
 * Thrown when a {@code keepalive.*} property has a value that Keepalive cannot work with.
 * {@link InvalidKeepAlivePropertyFailureAnalyzer} turns it into a start-up report that
 * names the property, the value and the fix.
 */
public final class InvalidKeepAlivePropertyException extends RuntimeException {

	private final String property;

	private final Object value;

	private final String action;

	InvalidKeepAlivePropertyException(String property, Object value, String reason, String action) {
		super("Invalid value '" + value + "' for " + property + ": " + reason);
		this.property = property;
		this.value = value;
		this.action = action;
	}

	/**
	 * Return the name of the offending property.
	 * @return the property name, for example {@code keepalive.server.idle-timeout}
	 */
	public String getProperty() {
		return this.property;
	}

	/**
	 * Return the offending value, as the user would write it.
	 * @return the value
	 */
	public Object getValue() {
		return this.value;
	}

	/**
	 * Return what the user should change.
	 * @return the action
	 */
	public String getAction() {
		return this.action;
	}

}
