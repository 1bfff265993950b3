package dev.keepalive.drain;

import java.time.Duration;

import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.context.support.DefaultLifecycleProcessor;

/**
 * Runs the drain when the application context closes, before Spring Boot's own web server
 * shutdown (phase {@code Integer.MAX_VALUE - 1024}) and before any lifecycle with a lower
 * phase, so the rest of the application is still up while the server drains.
 */
final class DrainLifecycle implements SmartLifecycle {

	/**
	 * The highest phase: lifecycles stop in descending phase order.
	 */
	static final int PHASE = Integer.MAX_VALUE;

	private static final Duration MARGIN = Duration.ofSeconds(5);

	private final ServerDrain drain;

	private final ApplicationContext context;

	private volatile boolean running;

	DrainLifecycle(ServerDrain drain, ApplicationContext context) {
		this.drain = drain;
		this.context = context;
	}

	@Override
	public void start() {
		// Spring cuts each shutdown phase at spring.lifecycle.timeout-per-shutdown-phase;
		// the drain's phase gets a cap of its own.
		if (this.context.getBean(
				AbstractApplicationContext.LIFECYCLE_PROCESSOR_BEAN_NAME) instanceof DefaultLifecycleProcessor processor) {
			processor.setTimeoutForShutdownPhase(PHASE, shutdownPhaseTimeout().toMillis());
		}
		this.running = true;
	}

	Duration shutdownPhaseTimeout() {
		return this.drain.defaultDrainDelay().plus(this.drain.defaultTimeout()).plus(MARGIN);
	}

	@Override
	public void stop() {
		try {
			this.drain.drain(this.drain.defaultDrainDelay(), this.drain.defaultTimeout(), "shutdown");
		}
		finally {
			this.running = false;
		}
	}

	@Override
	public void stop(Runnable callback) {
		Thread thread = new Thread(() -> {
			try {
				stop();
			}
			finally {
				callback.run();
			}
		}, "keepalive-drain");
		thread.start();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
