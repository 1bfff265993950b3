package dev.keepalive.sample;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.DispatcherHandler;
import org.springframework.web.servlet.DispatcherServlet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app runs as a Spring MVC application, and as a WebFlux one with its
 * {@code webflux} profile, with Keepalive applied either way.
 */
class SampleApplicationTests {

	@ParameterizedTest
	@CsvSource({ "default, false", "webflux, true" })
	void answersWithTheKeepAliveHeaderOnEitherStack(String profile, boolean reactive) throws IOException {
		try (ConfigurableApplicationContext context = SpringApplication.run(SampleApplication.class, "--server.port=0",
				"--spring.profiles.active=" + profile)) {
			assertThat(context.getBeanNamesForType(DispatcherHandler.class)).hasSize(reactive ? 1 : 0);
			assertThat(context.getBeanNamesForType(DispatcherServlet.class)).hasSize(reactive ? 0 : 1);
			int port = ((WebServerApplicationContext) context).getWebServer().getPort();
			String response = get(port, "/work?ms=10");
			assertThat(response).startsWith("HTTP/1.1 200")
				.contains("Keep-Alive: timeout=10")
				.endsWith("worked 10 ms\n");
		}
	}

	/**
	 * One request on its own connection, which it closes: the whole response.
	 */
	private static String get(int port, String path) throws IOException {
		try (Socket socket = new Socket("localhost", port)) {
			OutputStream out = socket.getOutputStream();
			out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			socket.setSoTimeout(10_000);
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream received = new ByteArrayOutputStream();
			byte[] buffer = new byte[4096];
			while (!received.toString(StandardCharsets.US_ASCII).endsWith("ms\n")) {
				int read = in.read(buffer);
				if (read < 0) {
					break;
				}
				received.write(buffer, 0, read);
			}
			return received.toString(StandardCharsets.US_ASCII);
		}
	}

}
