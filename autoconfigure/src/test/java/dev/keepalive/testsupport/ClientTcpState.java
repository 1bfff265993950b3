package dev.keepalive.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether a client's connection is still established, as its kernel sees it
 * ({@code /proc/net/tcp} and {@code /proc/net/tcp6}): a client that does not read sees
 * the server reset its connection this way without reading. Linux only.
 */
public final class ClientTcpState {

	private static final int ESTABLISHED = 0x01;

	private ClientTcpState() {
	}

	/**
	 * Whether the connection of {@code socket} is established.
	 * @param socket the client's socket
	 * @return whether its kernel lists it as established
	 */
	public static boolean isEstablished(Socket socket) {
		String local = String.format(":%04X", socket.getLocalPort());
		String remote = String.format(":%04X", socket.getPort());
		try {
			for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
				for (String line : Files.readAllLines(Path.of(table))) {
					String[] fields = line.trim().split("\\s+");
					if (fields.length > 3 && fields[1].endsWith(local) && fields[2].endsWith(remote)) {
						return Integer.parseInt(fields[3], 16) == ESTABLISHED;
					}
				}
			}
			return false;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
