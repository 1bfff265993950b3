package dev.keepalive.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.provider.Arguments;

/**
 * The ways a client speaks HTTP/2 to a test application: h2c with prior knowledge on a
 * plain connector, or h2 over TLS negotiated with ALPN.
 */
public enum Http2Transport {

	H2C(false, "server.http2.enabled=true"),

	H2(true, "server.http2.enabled=true", "server.ssl.key-store=classpath:test-keystore.p12",
			"server.ssl.key-store-password=secret", "server.ssl.key-store-type=PKCS12");

	private final boolean tls;

	private final String[] properties;

	Http2Transport(boolean tls, String... properties) {
		this.tls = tls;
		this.properties = properties;
	}

	public boolean tls() {
		return this.tls;
	}

	/**
	 * Every server with every transport, for parameterized tests.
	 * @return the pairs, as arguments
	 */
	public static Stream<Arguments> withEveryServer() {
		return Stream.of(ServerKind.values())
			.flatMap((server) -> Stream.of(values()).map((transport) -> Arguments.of(server, transport)));
	}

	/**
	 * Start a test application that speaks it.
	 * @param server the server
	 * @param properties more application properties
	 * @return the started application
	 */
	public TestApp start(ServerKind server, String... properties) {
		List<String> all = new ArrayList<>(List.of(this.properties));
		all.addAll(List.of(properties));
		return TestApp.start(server, all.toArray(String[]::new));
	}

}
