package dev.keepalive.testsupport;

/**
 * Runs {@link TestApp} as a process of its own, for tests that stop it with a signal.
 * Arguments: the server kind, then properties. Prints the port once it is listening.
 */
public final class ChildApp {

	/**
	 * The line printed once the server listens, followed by its port.
	 */
	public static final String PORT_LINE = "KEEPALIVE_TEST_PORT=";

	private ChildApp() {
	}

	public static void main(String[] args) {
		String[] properties = new String[args.length - 1];
		System.arraycopy(args, 1, properties, 0, properties.length);
		TestApp app = TestApp.start(ServerKind.valueOf(args[0]), properties);
		System.out.println(PORT_LINE + app.port());
	}

}
