package dev.keepalive.testsupport;

/**
 * The embedded servers every server-side behaviour is tested on. Both are on the test
 * classpath, with Reactor Netty; a test app excludes the others' auto-configurations
 * (servlet and reactive) so that Spring Boot's own auto-configured factory for this one
 * is used.
 */
public enum ServerKind {

	TOMCAT(ServerKind.TOMCAT_ONLY),

	JETTY(ServerKind.JETTY_ONLY);

	/**
	 * The property that makes a test application run on Tomcat.
	 */
	public static final String TOMCAT_ONLY = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration,"
			+ "org.springframework.boot.jetty.autoconfigure.actuate.web.server.JettyServletManagementContextAutoConfiguration,"
			+ "org.springframework.boot.jetty.autoconfigure.reactive.JettyReactiveWebServerAutoConfiguration,"
			+ "org.springframework.boot.jetty.autoconfigure.actuate.web.server.JettyReactiveManagementContextAutoConfiguration,"
			+ ServerKind.NOT_NETTY;

	/**
	 * The property that makes a test application run on Jetty.
	 */
	public static final String JETTY_ONLY = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration,"
			+ "org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatServletManagementContextAutoConfiguration,"
			+ "org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration,"
			+ "org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatReactiveManagementContextAutoConfiguration,"
			+ ServerKind.NOT_NETTY;

	/**
	 * Reactor Netty is on the test classpath for the clients; a reactive test application
	 * runs on Tomcat or Jetty.
	 */
	private static final String NOT_NETTY = "org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration,"
			+ "org.springframework.boot.reactor.netty.autoconfigure.actuate.web.server.NettyReactiveManagementContextAutoConfiguration";

	private final String exclusionProperty;

	ServerKind(String exclusionProperty) {
		this.exclusionProperty = exclusionProperty;
	}

	String exclusionProperty() {
		return this.exclusionProperty;
	}

}
