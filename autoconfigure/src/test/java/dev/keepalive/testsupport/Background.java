package dev.keepalive.testsupport;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Runs test tasks on threads of their own. Not the common pool, where
 * {@code CompletableFuture.supplyAsync} runs them from JDK 21 on: on two cores it has one
 * thread, and a task that blocks (a handshake held until the drain) keeps the next one
 * (the context close that starts the drain) from running.
 */
public final class Background {

	private Background() {
	}

	/**
	 * Run a task on a daemon thread of its own.
	 * @param <T> the result type
	 * @param task the task
	 * @return its future result
	 */
	public static <T> CompletableFuture<T> run(Supplier<T> task) {
		CompletableFuture<T> result = new CompletableFuture<>();
		Thread thread = new Thread(() -> {
			try {
				result.complete(task.get());
			}
			catch (Throwable ex) {
				result.completeExceptionally(ex);
			}
		}, "test-background");
		thread.setDaemon(true);
		thread.start();
		return result;
	}

}
