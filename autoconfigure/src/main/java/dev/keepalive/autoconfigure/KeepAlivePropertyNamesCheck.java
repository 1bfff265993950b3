package dev.keepalive.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.ClassUtils;

/**
 * Compares every property under {@code keepalive.}, from every property source, with the
 * names in Keepalive's configuration metadata. A bean factory post-processor so that it
 * runs before any server starts, lazy initialization or not.
 */
final class KeepAlivePropertyNamesCheck implements BeanFactoryPostProcessor {

	private static final ConfigurationPropertyName PREFIX = ConfigurationPropertyName.of("keepalive");

	private static final String METADATA = "META-INF/spring-configuration-metadata.json";

	private static final int ENVIRONMENT_TYPO_DISTANCE = 3;

	private final Environment environment;

	KeepAlivePropertyNamesCheck(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
		ClassLoader classLoader = beanFactory.getBeanClassLoader();
		Set<String> known = knownNames((classLoader != null) ? classLoader : ClassUtils.getDefaultClassLoader());
		if (known.isEmpty()) {
			// The metadata was stripped from the jar (a shading plugin): nothing to
			// compare with.
			return;
		}
		Map<String, UnknownKeepAlivePropertyException.UnknownProperty> unknown = new LinkedHashMap<>();
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				boolean environment = source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource;
				iterable.filter(PREFIX::isAncestorOf)
					.stream()
					.filter((name) -> !isKnown(compact(name.toString()), environment, known))
					.filter((name) -> !environment || isTypo(compact(name.toString()), known))
					.forEach((name) -> unknown.computeIfAbsent(name.toString(),
							(key) -> unknownProperty(iterable.getConfigurationProperty(name), key, known)));
			}
		}
		if (!unknown.isEmpty()) {
			throw new UnknownKeepAlivePropertyException(List.copyOf(unknown.values()));
		}
	}

	/**
	 * Relaxed binding makes idleTimeout, idle-timeout and IDLETIMEOUT one name. An
	 * environment variable KEEPALIVE_SERVER_IDLE_TIMEOUT binds
	 * keepalive.server.idle-timeout but reads back as keepalive.server.idle.timeout, so
	 * environment variables also compare without dots.
	 */
	private static boolean isKnown(String name, boolean environment, Set<String> known) {
		return known.stream()
			.map(KeepAlivePropertyNamesCheck::compact)
			.anyMatch((knownName) -> knownName.equals(name)
					|| (environment && withoutDots(knownName).equals(withoutDots(name))));
	}

	/**
	 * Whether an unknown environment variable is a misspelt Keepalive property rather
	 * than some other program's KEEPALIVE_* setting, which must not stop the application.
	 */
	private static boolean isTypo(String name, Set<String> known) {
		return distance(withoutDots(name), withoutDots(compact(closest(name, known)))) <= ENVIRONMENT_TYPO_DISTANCE;
	}

	private static String closest(String name, Set<String> known) {
		return known.stream()
			.min(Comparator.comparingInt((String knownName) -> distance(name, compact(knownName))))
			.orElseThrow();
	}

	private static UnknownKeepAlivePropertyException.UnknownProperty unknownProperty(
			@Nullable ConfigurationProperty property, String name, Set<String> known) {
		return new UnknownKeepAlivePropertyException.UnknownProperty(name,
				(property != null && property.getOrigin() != null) ? property.getOrigin().toString() : null,
				closest(compact(name), known));
	}

	private static Set<String> knownNames(@Nullable ClassLoader classLoader) {
		Set<String> names = new HashSet<>();
		try {
			for (URL url : Collections.list((classLoader != null) ? classLoader.getResources(METADATA)
					: ClassLoader.getSystemResources(METADATA))) {
				names.addAll(keepAliveNames(url));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to read " + METADATA, ex);
		}
		return names;
	}

	@SuppressWarnings("unchecked")
	private static List<String> keepAliveNames(URL url) throws IOException {
		String json;
		try (InputStream in = url.openStream()) {
			json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		if (!json.contains("\"keepalive.")) {
			return List.of();
		}
		List<Map<String, Object>> properties = (List<Map<String, Object>>) JsonParserFactory.getJsonParser()
			.parseMap(json)
			.getOrDefault("properties", List.of());
		return properties.stream()
			.map((property) -> (String) property.get("name"))
			.filter((name) -> name != null && name.startsWith("keepalive."))
			.toList();
	}

	private static String compact(String name) {
		return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]", "");
	}

	private static String withoutDots(String name) {
		return name.replace(".", "");
	}

	private static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int substitution = previous[j - 1] + ((a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

}
