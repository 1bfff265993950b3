package dev.keepalive.testsupport;

/**
 * The embedded servers every server-side behaviour is tested on. Both are on the test
 * classpath; a test app excludes the other one's auto-configuration so that Spring Boot's
 * own auto-configured factory for this one is used.
 */
public enum ServerKind {

	TOMCAT("org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration",
			"org.springframework.boot.jetty.autoconfigure.actuate.web.server.JettyServletManagementContextAutoConfiguration"),

	JETTY("org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
			"org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatServletManagementContextAutoConfiguration");

	private final String[] excludedAutoConfigurations;

	ServerKind(String... excludedAutoConfigurations) {
		this.excludedAutoConfigurations = excludedAutoConfigurations;
	}

	String exclusionProperty() {
		return "spring.autoconfigure.exclude=" + String.join(",", this.excludedAutoConfigurations);
	}

}
