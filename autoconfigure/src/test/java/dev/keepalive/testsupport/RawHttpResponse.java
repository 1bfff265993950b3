package dev.keepalive.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A response read by {@link RawHttpConnection}, with its headers exactly as sent.
 *
 * @param status the status code
 * @param headers the header values by lower-case name, in the order they arrived
 * @param body the body, de-chunked
 */
public record RawHttpResponse(int status, Map<String, List<String>> headers, byte[] body) {

	public String header(String name) {
		List<String> values = this.headers.get(name.toLowerCase(Locale.ROOT));
		return (values != null) ? String.join(", ", values) : null;
	}

	public boolean hasHeader(String name) {
		return this.headers.containsKey(name.toLowerCase(Locale.ROOT));
	}

	/**
	 * Whether the {@code Connection} header carries the {@code close} token.
	 */
	public boolean connectionClose() {
		String connection = header("Connection");
		return connection != null && List.of(connection.toLowerCase(Locale.ROOT).split("\\s*,\\s*")).contains("close");
	}

	/**
	 * How the body is delimited: {@code chunked}, {@code length} or {@code close} (the
	 * end of the connection, which cannot tell a complete body from a cut one).
	 */
	public String framing() {
		if ("chunked".equalsIgnoreCase(header("Transfer-Encoding"))) {
			return "chunked";
		}
		return hasHeader("Content-Length") ? "length" : "close";
	}

	RawHttpResponse withBody(byte[] body) {
		return new RawHttpResponse(this.status, this.headers, body);
	}

	public String bodyText() {
		return new String(this.body, StandardCharsets.UTF_8);
	}

	@Override
	public String toString() {
		return "HTTP " + this.status + " " + this.headers + " body=" + bodyText();
	}

	static Builder builder(String statusLine) {
		return new Builder(statusLine);
	}

	static final class Builder {

		private final int status;

		private final Map<String, List<String>> headers = new TreeMap<>();

		private Builder(String statusLine) {
			String[] parts = statusLine.split(" ", 3);
			if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
				throw new IllegalStateException("Not an HTTP status line: " + statusLine);
			}
			this.status = Integer.parseInt(parts[1]);
		}

		void header(String name, String value) {
			this.headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), (key) -> new ArrayList<>()).add(value);
		}

		RawHttpResponse build(byte[] body) {
			return new RawHttpResponse(this.status, this.headers, body);
		}

	}

}
