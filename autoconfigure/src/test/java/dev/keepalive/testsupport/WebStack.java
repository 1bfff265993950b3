package dev.keepalive.testsupport;

import java.util.Arrays;
import java.util.stream.Stream;

import org.junit.jupiter.params.provider.Arguments;

import org.springframework.boot.WebApplicationType;

/**
 * The web stacks a test application runs: Spring MVC, or WebFlux on the same server.
 * Suites run a case on both where WebFlux takes its own path through the server
 * (asynchronous handling, non-blocking reads of the body and writes of the response, the
 * commit, the drain); cases about the connection between requests (idle timeouts,
 * connection limits) run under Spring MVC only, since no request of either stack is in
 * progress.
 */
public enum WebStack {

	SERVLET(WebApplicationType.SERVLET, TestController.class),

	REACTIVE(WebApplicationType.REACTIVE, ReactiveTestController.class);

	private final WebApplicationType type;

	private final Class<? extends TestEndpoints> controller;

	WebStack(WebApplicationType type, Class<? extends TestEndpoints> controller) {
		this.type = type;
		this.controller = controller;
	}

	WebApplicationType type() {
		return this.type;
	}

	Class<? extends TestEndpoints> controller() {
		return this.controller;
	}

	/**
	 * Every server on every stack it serves, for {@code @MethodSource}: Tomcat and Jetty
	 * with Spring MVC and WebFlux, Reactor Netty with WebFlux.
	 * @return server and stack
	 */
	public static Stream<Arguments> withEveryServer() {
		return Stream.concat(withServletContainers(), Stream.of(Arguments.of(ServerKind.NETTY, REACTIVE)));
	}

	/**
	 * Tomcat and Jetty on both stacks, for {@code @MethodSource}: for what Keepalive does
	 * not yet do on Reactor Netty.
	 * @return server and stack
	 */
	public static Stream<Arguments> withServletContainers() {
		return Stream.of(ServerKind.TOMCAT, ServerKind.JETTY)
			.flatMap((server) -> Arrays.stream(values()).map((stack) -> Arguments.of(server, stack)));
	}

}
