package dev.keepalive.autoconfigure;

import java.util.List;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * Thrown at start-up when a property under {@code keepalive.} is not one of Keepalive's,
 * most likely a misspelt name that would otherwise have no effect.
 * {@link UnknownKeepAlivePropertyFailureAnalyzer} reports each one with the closest valid
 * name.
 */
public final class UnknownKeepAlivePropertyException extends RuntimeException {

	private final List<UnknownProperty> properties;

	UnknownKeepAlivePropertyException(List<UnknownProperty> properties) {
		super(properties.stream().map(UnknownProperty::describe).collect(Collectors.joining("\n")));
		this.properties = properties;
	}

	/**
	 * Return the names of the unknown properties.
	 * @return the names, for example {@code keepalive.server.upstream-idle-timout}
	 */
	public List<String> getNames() {
		return this.properties.stream().map(UnknownProperty::name).toList();
	}

	record UnknownProperty(String name, @Nullable String origin, String closest) {

		String describe() {
			return "Unknown property '" + this.name + "'" + ((this.origin != null) ? " (" + this.origin + ")" : "")
					+ ": did you mean '" + this.closest + "'?";
		}

	}

}
