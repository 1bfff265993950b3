package dev.keepalive.testsupport;

/**
 * The embedded servers every server-side behaviour is tested on. Both are on the test
 * classpath; a test app excludes the other one's auto-configuration so that Spring Boot's
 * own auto-configured factory for this one is used.
 */
public enum ServerKind {

	TOMCAT(ServerKind.TOMCAT_ONLY),

	JETTY(ServerKind.JETTY_ONLY);

	/**
	 * The property that makes a test application run on Tomcat.
	 */
	public static final String TOMCAT_ONLY = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration,"
			+ "org.springframework.boot.jetty.autoconfigure.actuate.web.server.JettyServletManagementContextAutoConfiguration";

	/**
	 * The property that makes a test application run on Jetty.
	 */
	public static final String JETTY_ONLY = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration,"
			+ "org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatServletManagementContextAutoConfiguration";

	private final String exclusionProperty;

	ServerKind(String exclusionProperty) {
		this.exclusionProperty = exclusionProperty;
	}

	String exclusionProperty() {
		return this.exclusionProperty;
	}

}
