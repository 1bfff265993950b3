package dev.keepalive.server.netty;

import dev.keepalive.server.TrackedConnection;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;

/**
 * Carries the connection whose request an event loop is handling to the work that the
 * request schedules on a Reactor scheduler: a blocking actuator operation runs on
 * {@code boundedElastic}, and a drain started there must not wait for its own request's
 * connection until the drain's timeout.
 */
final class SchedulerCallerPropagation implements InitializingBean, DisposableBean {

	private static final String KEY = SchedulerCallerPropagation.class.getName();

	@Override
	public void afterPropertiesSet() {
		Schedulers.onScheduleHook(KEY, SchedulerCallerPropagation::decorate);
	}

	private static Runnable decorate(Runnable task) {
		TrackedConnection caller = TrackedConnection.current();
		if (caller == null) {
			return task;
		}
		return () -> {
			caller.bindToCurrentThreadOnly();
			try {
				task.run();
			}
			finally {
				caller.unbindFromCurrentThread();
			}
		};
	}

	@Override
	public void destroy() {
		Schedulers.resetOnScheduleHook(KEY);
	}

}
