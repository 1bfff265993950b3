package dev.keepalive.testsupport;

import java.util.Arrays;
import java.util.stream.Stream;

import org.junit.jupiter.params.provider.Arguments;

import org.springframework.boot.WebApplicationType;

/**
 * The web stacks a test application runs: Spring MVC, or WebFlux on the same server.
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
	 * Every server on every stack, for {@code @MethodSource}.
	 * @return server and stack
	 */
	public static Stream<Arguments> withEveryServer() {
		return Arrays.stream(ServerKind.values())
			.flatMap((server) -> Arrays.stream(values()).map((stack) -> Arguments.of(server, stack)));
	}

}
