package dev.keepalive.drain;

import java.time.Duration;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.context.support.DefaultLifecycleProcessor;

/**
 * Runs the drain when the application context stops or closes, before Spring Boot's own
 * web server shutdown (phase {@code Integer.MAX_VALUE - 1024}) and before any lifecycle
 * with a lower phase, so the rest of the application is still up while the server drains.
 * <p>
 * Like Spring Boot's {@code WebServerGracefulShutdownLifecycle}, it is not pauseable (so
 * a context paused by Spring's test context cache keeps its server as it is), and it can
 * be stopped and started again: after a start the server keeps connections alive again
 * and the next stop drains again.
 */
final class DrainLifecycle implements SmartLifecycle {

	/**
	 * The highest phase: lifecycles stop in descending phase order.
	 */
	static final int PHASE = Integer.MAX_VALUE;

	private static final Duration MARGIN = Duration.ofSeconds(5);

	/**
	 * What Spring Boot's graceful shutdown gets at least after a drain that gave up on
	 * requests: enough to see that nothing else is running and return.
	 */
	private static final Duration GRACEFUL_SHUTDOWN_MINIMUM = Duration.ofMillis(500);

	private final ServerDrain drain;

	private final ApplicationContext context;

	private volatile boolean running;

	private volatile boolean stopped;

	DrainLifecycle(ServerDrain drain, ApplicationContext context) {
		this.drain = drain;
		this.context = context;
	}

	@Override
	public void start() {
		if (this.stopped) {
			this.drain.serveAgain();
		}
		// Spring cuts each shutdown phase at spring.lifecycle.timeout-per-shutdown-phase;
		// the drain's phase gets a cap of its own.
		setShutdownPhaseTimeout(PHASE, shutdownPhaseTimeout());
		this.running = true;
	}

	Duration shutdownPhaseTimeout() {
		DrainSettings settings = this.drain.settings();
		return settings.drainDelay().plus(settings.timeout()).plus(MARGIN);
	}

	@Override
	public void stop() {
		throw new UnsupportedOperationException("Stop must not be invoked directly");
	}

	@Override
	public void stop(Runnable callback) {
		this.running = false;
		this.stopped = true;
		Thread thread = new Thread(() -> {
			try {
				DrainReport report = this.drain.drain(this.drain.settings(), "shutdown");
				boundGracefulShutdown(report);
			}
			finally {
				callback.run();
			}
		}, "keepalive-drain");
		thread.start();
	}

	/**
	 * Spring Boot's graceful shutdown, which runs next, waits for requests still in
	 * progress: give it only what is left of the drain's timeout, so that it does not
	 * wait again for requests the drain has given up on.
	 */
	private void boundGracefulShutdown(DrainReport report) {
		Duration left = this.drain.settings().timeout().minus(report.draining()).minus(report.forceClosing());
		setShutdownPhaseTimeout(WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE,
				(left.compareTo(GRACEFUL_SHUTDOWN_MINIMUM) > 0) ? left : GRACEFUL_SHUTDOWN_MINIMUM);
	}

	private void setShutdownPhaseTimeout(int phase, Duration timeout) {
		if (this.context.getBean(
				AbstractApplicationContext.LIFECYCLE_PROCESSOR_BEAN_NAME) instanceof DefaultLifecycleProcessor processor) {
			processor.setTimeoutForShutdownPhase(phase, timeout.toMillis());
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	@Override
	public boolean isPauseable() {
		return false;
	}

}
