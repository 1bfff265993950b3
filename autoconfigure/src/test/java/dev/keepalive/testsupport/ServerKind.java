package dev.keepalive.testsupport;

/**
 * The embedded servers every server-side behaviour is tested on. All three are on the
 * test classpath; a test app excludes the others' auto-configurations (servlet and
 * reactive) so that Spring Boot's own auto-configured factory for this one is used.
 * Reactor Netty only serves WebFlux applications.
 */
public enum ServerKind {

	TOMCAT(ServerKind.TOMCAT_ONLY),

	JETTY(ServerKind.JETTY_ONLY),

	NETTY(ServerKind.NETTY_ONLY);

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
	 * The property that makes a (reactive) test application run on Reactor Netty.
	 */
	public static final String NETTY_ONLY = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration,"
			+ "org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatReactiveManagementContextAutoConfiguration,"
			+ "org.springframework.boot.jetty.autoconfigure.reactive.JettyReactiveWebServerAutoConfiguration,"
			+ "org.springframework.boot.jetty.autoconfigure.actuate.web.server.JettyReactiveManagementContextAutoConfiguration";

	private static final String NOT_NETTY = "org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration,"
			+ "org.springframework.boot.reactor.netty.autoconfigure.actuate.web.server.NettyReactiveManagementContextAutoConfiguration";

	private final String exclusionProperty;

	ServerKind(String exclusionProperty) {
		this.exclusionProperty = exclusionProperty;
	}

	String exclusionProperty() {
		return this.exclusionProperty;
	}

	/**
	 * The stack a test application runs when a test does not say: Spring MVC, except on
	 * Reactor Netty, which only serves WebFlux.
	 * @return the stack
	 */
	public WebStack defaultStack() {
		return (this == NETTY) ? WebStack.REACTIVE : WebStack.SERVLET;
	}

}
