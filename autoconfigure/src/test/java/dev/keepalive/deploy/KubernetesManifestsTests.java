package dev.keepalive.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.keepalive.autoconfigure.KeepAliveProperties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertiesPropertySource;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.fail;

/**
 * The example manifests under {@code deploy/kubernetes} agree with the application they
 * deploy: the settings the container gets (its {@code args}, {@code env}, {@code envFrom}
 * ConfigMaps and the sample app's {@code application.properties}) are bound the way
 * Spring Boot binds them, and the probes, ports, grace period and proxy timeouts are
 * checked against them. No cluster is needed.
 */
class KubernetesManifestsTests {

	private static final Duration GRACE_MARGIN = Duration.ofSeconds(5);

	private static final Pattern ALB_ATTRIBUTE = Pattern.compile("([a-z_.]+)=([^,\\s]+)");

	private static Path root;

	private static final List<Manifest> manifests = new ArrayList<>();

	@BeforeAll
	static void load() throws IOException {
		root = projectRoot();
		try (Stream<Path> files = Files.walk(root.resolve("deploy/kubernetes"))) {
			for (Path file : files.filter((f) -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
				.sorted()
				.toList()) {
				try (Reader reader = Files.newBufferedReader(file)) {
					for (Object document : new Yaml().loadAll(reader)) {
						if (document != null) {
							manifests.add(new Manifest(root.relativize(file), map(document)));
						}
					}
				}
			}
		}
		assertThat(manifests).as("manifests under deploy/kubernetes").isNotEmpty();
	}

	@Test
	void everyDocumentIsAKubernetesObjectWithAName() {
		for (Manifest manifest : manifests) {
			assertThat(manifest.yaml()).as(manifest.file() + ": apiVersion and kind")
				.containsKeys("apiVersion", "kind");
			if (!"Kustomization".equals(manifest.kind())) {
				assertThat(string(map(manifest.yaml().get("metadata")).get("name"))).as(manifest.file() + ": name")
					.isNotBlank();
			}
		}
		assertThat(manifests).extracting(Manifest::kind).contains("Deployment", "Service", "ConfigMap", "Ingress");
	}

	@Test
	void kustomizationListsFilesThatExist() {
		for (Manifest kustomization : ofKind("Kustomization")) {
			Path dir = root.resolve(kustomization.file()).getParent();
			for (Object resource : list(kustomization.yaml().get("resources"))) {
				assertThat(dir.resolve(string(resource))).as(kustomization.file() + " resource " + resource).exists();
			}
		}
	}

	@Test
	void terminationGracePeriodCoversDrainDelayPlusTimeoutPlusMargin() {
		for (Manifest deployment : ofKind("Deployment")) {
			Map<String, Object> pod = podSpec(deployment);
			Object grace = pod.get("terminationGracePeriodSeconds");
			assertThat(grace).as(deployment.file() + ": terminationGracePeriodSeconds must be set (default 30)")
				.isNotNull();
			for (Map<String, Object> container : containers(deployment)) {
				KeepAliveProperties properties = keepAliveProperties(container);
				Duration drainDelay = properties.getShutdown().getDrainDelay();
				assertThat(drainDelay)
					.as(deployment.file() + ": set keepalive.shutdown.drain-delay explicitly so the grace period can be"
							+ " checked against it")
					.isNotNull();
				Duration needed = drainDelay.plus(properties.getShutdown().getTimeout()).plus(GRACE_MARGIN);
				assertThat(Duration.ofSeconds(((Number) grace).longValue()))
					.as(deployment.file() + ": terminationGracePeriodSeconds >= drain-delay " + drainDelay
							+ " + timeout " + properties.getShutdown().getTimeout() + " + " + GRACE_MARGIN)
					.isGreaterThanOrEqualTo(needed);
			}
		}
	}

	@Test
	void probesUseTheHealthGroupsThatTheApplicationExposesOnItsManagementPort() {
		for (Manifest deployment : ofKind("Deployment")) {
			for (Map<String, Object> container : containers(deployment)) {
				Binder binder = binder(container);
				String exposed = binder.bind("management.endpoints.web.exposure.include", String.class)
					.orElse("health");
				assertThat(exposed.split("\\s*,\\s*")).as(deployment.file() + ": health endpoint exposed")
					.containsAnyOf("health", "*");
				// on Kubernetes the probe groups are on unless switched off
				assertThat(binder.bind("management.endpoint.health.probes.enabled", Boolean.class).orElse(true))
					.as(deployment.file() + ": management.endpoint.health.probes.enabled")
					.isTrue();
				String basePath = binder.bind("management.endpoints.web.base-path", String.class).orElse("/actuator");
				int managementPort = managementPort(binder);
				Map<String, Object> readiness = map(container.get("readinessProbe"));
				Map<String, Object> liveness = map(container.get("livenessProbe"));
				assertThat(string(map(readiness.get("httpGet")).get("path"))).as(deployment.file() + ": readiness path")
					.isEqualTo(basePath + "/health/readiness");
				assertThat(string(map(liveness.get("httpGet")).get("path"))).as(deployment.file() + ": liveness path")
					.isEqualTo(basePath + "/health/liveness");
				for (Map<String, Object> probe : List.of(readiness, liveness)) {
					assertThat(containerPort(container, map(probe.get("httpGet")).get("port")))
						.as(deployment.file() + ": probe port is the management port")
						.isEqualTo(managementPort);
				}
			}
		}
	}

	@Test
	void containerPortsMatchServerPortAndManagementPort() {
		for (Manifest deployment : ofKind("Deployment")) {
			for (Map<String, Object> container : containers(deployment)) {
				Binder binder = binder(container);
				int serverPort = serverPort(binder);
				assertThat(containerPort(container, "http")).as(deployment.file() + ": port 'http' is server.port")
					.isEqualTo(serverPort);
				if (binder.bind("management.server.port", Integer.class).isBound()) {
					assertThat(containerPort(container, "management"))
						.as(deployment.file() + ": port 'management' is management.server.port")
						.isEqualTo(managementPort(binder));
				}
			}
		}
	}

	@Test
	void serviceSelectsThePodsAndTargetsTheServerPort() {
		Manifest deployment = ofKind("Deployment").get(0);
		Map<String, Object> podLabels = map(
				map(map(map(deployment.yaml().get("spec")).get("template")).get("metadata")).get("labels"));
		Map<String, Object> container = containers(deployment).get(0);
		for (Manifest service : ofKind("Service")) {
			Map<String, Object> spec = map(service.yaml().get("spec"));
			assertThat(podLabels).as(service.file() + ": selector matches the pod labels")
				.containsAllEntriesOf(map(spec.get("selector")));
			for (Object port : list(spec.get("ports"))) {
				assertThat(containerPort(container, map(port).get("targetPort")))
					.as(service.file() + ": targetPort is server.port")
					.isEqualTo(serverPort(binder(container)));
			}
		}
	}

	@Test
	void noPreStopSleep() {
		for (Manifest deployment : ofKind("Deployment")) {
			for (Map<String, Object> container : containers(deployment)) {
				Map<String, Object> preStop = map(map(container.get("lifecycle")).get("preStop"));
				assertThat(preStop)
					.as(deployment.file()
							+ ": no preStop sleep, keepalive.shutdown.drain-delay waits after SIGTERM instead")
					.doesNotContainKey("sleep");
				Object command = map(preStop.get("exec")).get("command");
				assertThat(String.valueOf(command)).as(deployment.file() + ": no preStop exec sleep")
					.doesNotContain("sleep");
			}
		}
	}

	@Test
	void settingsPassKeepalivesOwnValidation() {
		for (Manifest deployment : ofKind("Deployment")) {
			for (Map<String, Object> container : containers(deployment)) {
				KeepAliveProperties properties = keepAliveProperties(container);
				assertThatNoException().as(deployment.file().toString()).isThrownBy(properties::afterPropertiesSet);
			}
		}
	}

	@Test
	void proxiesInFrontCloseIdleConnectionsBeforeTheApplicationDoes() {
		KeepAliveProperties properties = keepAliveProperties(containers(ofKind("Deployment").get(0)).get(0));
		Duration idleTimeout = properties.getServer().getIdleTimeout();
		Duration upstreamIdleTimeout = properties.getServer().getUpstreamIdleTimeout();
		List<Duration> proxyTimeouts = new ArrayList<>();
		for (Manifest configMap : ofKind("ConfigMap")) {
			Object nginx = map(configMap.yaml().get("data")).get("upstream-keepalive-timeout");
			if (nginx != null) {
				proxyTimeouts.add(Duration.ofSeconds(Long.parseLong(string(nginx))));
			}
		}
		for (Manifest ingress : ofKind("Ingress")) {
			Map<String, String> alb = albAttributes(ingress, "load-balancer-attributes");
			if (alb.containsKey("idle_timeout.timeout_seconds")) {
				proxyTimeouts.add(Duration.ofSeconds(Long.parseLong(alb.get("idle_timeout.timeout_seconds"))));
			}
		}
		assertThat(proxyTimeouts).as("idle timeouts of the ingress-nginx and ALB examples").hasSize(2);
		for (Duration proxy : proxyTimeouts) {
			assertThat(proxy).as("proxy idle timeout < keepalive.server.idle-timeout").isLessThan(idleTimeout);
			assertThat(upstreamIdleTimeout).as("keepalive.server.upstream-idle-timeout states the proxy's")
				.isGreaterThanOrEqualTo(proxy);
		}
	}

	@Test
	void albKeepsRequestsInFlightAsLongAsTheDrainMayTake() {
		KeepAliveProperties properties = keepAliveProperties(containers(ofKind("Deployment").get(0)).get(0));
		Duration drainDelay = properties.getShutdown().getDrainDelay();
		assertThat(drainDelay).as("drain delay set by the ConfigMap").isNotNull();
		Duration drain = drainDelay.plus(properties.getShutdown().getTimeout());
		List<Manifest> albs = ofKind("Ingress").stream()
			.filter((ingress) -> !albAttributes(ingress, "target-group-attributes").isEmpty())
			.toList();
		assertThat(albs).as("the ALB ingress example").hasSize(1);
		Map<String, String> targetGroup = albAttributes(albs.get(0), "target-group-attributes");
		assertThat(targetGroup).containsKey("deregistration_delay.timeout_seconds");
		assertThat(Duration.ofSeconds(Long.parseLong(targetGroup.get("deregistration_delay.timeout_seconds"))))
			.as(albs.get(0).file() + ": deregistration delay >= keepalive.shutdown.drain-delay + timeout")
			.isGreaterThanOrEqualTo(drain);
	}

	@Test
	void ingressesRouteToAPortOfTheService() {
		Manifest service = ofKind("Service").get(0);
		String serviceName = string(map(service.yaml().get("metadata")).get("name"));
		List<Object> portNames = list(map(service.yaml().get("spec")).get("ports")).stream()
			.map((port) -> map(port).get("name"))
			.toList();
		for (Manifest ingress : ofKind("Ingress")) {
			for (Object rule : list(map(ingress.yaml().get("spec")).get("rules"))) {
				for (Object path : list(map(map(rule).get("http")).get("paths"))) {
					Map<String, Object> backend = map(map(map(path).get("backend")).get("service"));
					assertThat(string(backend.get("name"))).as(ingress.file() + ": backend service")
						.isEqualTo(serviceName);
					assertThat(portNames).as(ingress.file() + ": backend port")
						.contains(map(backend.get("port")).get("name"));
				}
			}
		}
	}

	private static KeepAliveProperties keepAliveProperties(Map<String, Object> container) {
		return binder(container).bind("keepalive", Bindable.ofInstance(new KeepAliveProperties()))
			.orElseGet(KeepAliveProperties::new);
	}

	/**
	 * A binder over what the container's application sees: command-line arguments, then
	 * environment variables ({@code env} over {@code envFrom}), then the sample app's
	 * {@code application.properties}.
	 */
	private static Binder binder(Map<String, Object> container) {
		Map<String, Object> env = new LinkedHashMap<>();
		// set by Kubernetes in every container: Spring Boot detects the platform from
		// them
		env.put("KUBERNETES_SERVICE_HOST", "10.0.0.1");
		env.put("KUBERNETES_SERVICE_PORT", "443");
		for (Object source : list(container.get("envFrom"))) {
			String name = string(map(map(source).get("configMapRef")).get("name"));
			assertThat(name).as("envFrom supports configMapRef only here").isNotNull();
			env.putAll(map(configMap(name).yaml().get("data")));
		}
		for (Object variable : list(container.get("env"))) {
			env.put(string(map(variable).get("name")), string(map(variable).get("value")));
		}
		StandardEnvironment environment = new StandardEnvironment();
		MutablePropertySources sources = environment.getPropertySources();
		sources.remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
		sources.remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
		List<Object> args = list(container.get("args"));
		if (!args.isEmpty()) {
			sources.addLast(
					new SimpleCommandLinePropertySource(args.stream().map(String::valueOf).toArray(String[]::new)));
		}
		sources.addLast(
				new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env));
		sources.addLast(new PropertiesPropertySource("application.properties", sampleApplicationProperties()));
		ConfigurationPropertySources.attach(environment);
		return Binder.get(environment);
	}

	private static Properties sampleApplicationProperties() {
		Properties properties = new Properties();
		try (Reader reader = Files
			.newBufferedReader(root.resolve("sample-app/src/main/resources/application.properties"))) {
			properties.load(reader);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return properties;
	}

	private static int serverPort(Binder binder) {
		return binder.bind("server.port", Integer.class).orElse(8080);
	}

	private static int managementPort(Binder binder) {
		return binder.bind("management.server.port", Integer.class).orElseGet(() -> serverPort(binder));
	}

	/** The number of a container port given by name or number. */
	private static int containerPort(Map<String, Object> container, Object nameOrNumber) {
		if (nameOrNumber instanceof Number number) {
			return number.intValue();
		}
		for (Object port : list(container.get("ports"))) {
			if (Objects.equals(map(port).get("name"), nameOrNumber)) {
				return ((Number) map(port).get("containerPort")).intValue();
			}
		}
		return fail("no container port named " + nameOrNumber);
	}

	private static Map<String, String> albAttributes(Manifest ingress, String annotation) {
		Object value = map(map(ingress.yaml().get("metadata")).get("annotations"))
			.get("alb.ingress.kubernetes.io/" + annotation);
		Map<String, String> attributes = new LinkedHashMap<>();
		if (value != null) {
			Matcher matcher = ALB_ATTRIBUTE.matcher(string(value));
			while (matcher.find()) {
				attributes.put(matcher.group(1), matcher.group(2));
			}
		}
		return attributes;
	}

	private static Manifest configMap(String name) {
		return ofKind("ConfigMap").stream()
			.filter((manifest) -> name.equals(map(manifest.yaml().get("metadata")).get("name")))
			.findFirst()
			.orElseGet(() -> fail("no ConfigMap " + name + " under deploy/kubernetes"));
	}

	private static Map<String, Object> podSpec(Manifest deployment) {
		return map(map(map(deployment.yaml().get("spec")).get("template")).get("spec"));
	}

	private static List<Map<String, Object>> containers(Manifest deployment) {
		List<Map<String, Object>> containers = list(podSpec(deployment).get("containers")).stream()
			.map(KubernetesManifestsTests::map)
			.toList();
		assertThat(containers).as(deployment.file() + ": containers").isNotEmpty();
		return containers;
	}

	private static List<Manifest> ofKind(String kind) {
		List<Manifest> found = manifests.stream().filter((manifest) -> kind.equals(manifest.kind())).toList();
		assertThat(found).as(kind + " under deploy/kubernetes").isNotEmpty();
		return found;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (value != null) ? (Map<String, Object>) value : Map.of();
	}

	@SuppressWarnings("unchecked")
	private static List<Object> list(Object value) {
		return (value != null) ? (List<Object>) value : List.of();
	}

	private static String string(Object value) {
		return (value != null) ? value.toString() : null;
	}

	private static Path projectRoot() {
		Path dir = Path.of("").toAbsolutePath();
		while (dir != null && !Files.isDirectory(dir.resolve("deploy/kubernetes"))) {
			dir = dir.getParent();
		}
		assertThat(dir).as("a parent directory with deploy/kubernetes").isNotNull();
		return dir;
	}

	record Manifest(Path file, Map<String, Object> yaml) {

		String kind() {
			return string(this.yaml.get("kind"));
		}

	}

}
