package dev.keepalive.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of its own running a main class from the test class path, its output in a file:
 * for tests that stop an application with a signal, or that need a JVM-wide setting.
 */
public final class ChildJvm implements AutoCloseable {

	private final Process process;

	private final Path output;

	private ChildJvm(Process process, Path output) {
		this.process = process;
		this.output = output;
	}

	/**
	 * Start {@code mainClass} in a new JVM.
	 * @param jvmOptions options such as {@code -Xmx512m}
	 * @param mainClass the class to run
	 * @param args its arguments
	 * @return the running JVM
	 */
	public static ChildJvm start(List<String> jvmOptions, Class<?> mainClass, String... args) throws IOException {
		String java = ProcessHandle.current().info().command().orElse("java");
		String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
		List<String> command = new ArrayList<>();
		command.add(java);
		command.addAll(jvmOptions);
		command.addAll(List.of("-cp", classPath, mainClass.getName()));
		command.addAll(List.of(args));
		Path output = Files.createTempFile("keepalive-child-", ".log");
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
		return new ChildJvm(process, output);
	}

	/**
	 * Everything the JVM has printed so far.
	 */
	public String output() {
		try {
			return Files.readString(this.output);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Send SIGTERM, as an orchestrator stopping the process does.
	 */
	public void terminate() {
		this.process.destroy();
	}

	/**
	 * Wait for the JVM to exit.
	 * @return whether it exited within {@code timeout}
	 */
	public boolean awaitExit(Duration timeout) throws InterruptedException {
		return this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public void close() throws IOException {
		this.process.destroyForcibly();
		Files.deleteIfExists(this.output);
	}

}
