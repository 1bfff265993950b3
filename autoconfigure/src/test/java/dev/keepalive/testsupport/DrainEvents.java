package dev.keepalive.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.keepalive.drain.DrainPhase;
import dev.keepalive.drain.DrainPhaseChangedEvent;

import org.springframework.context.ApplicationListener;

/**
 * Records every drain phase change, with the time it was published.
 */
public class DrainEvents implements ApplicationListener<DrainPhaseChangedEvent> {

	private final List<Recorded> events = new CopyOnWriteArrayList<>();

	@Override
	public void onApplicationEvent(DrainPhaseChangedEvent event) {
		this.events.add(new Recorded(event, System.nanoTime()));
	}

	public List<DrainPhase> phases() {
		return this.events.stream().map((recorded) -> recorded.event().getPhase()).toList();
	}

	/**
	 * When the last drain entered {@code phase}, as {@link System#nanoTime()}, or -1.
	 */
	public long enteredNanos(DrainPhase phase) {
		return this.events.stream()
			.filter((recorded) -> recorded.event().getPhase() == phase)
			.mapToLong(Recorded::nanos)
			.reduce((first, second) -> second)
			.orElse(-1);
	}

	public List<Recorded> events() {
		return List.copyOf(this.events);
	}

	/**
	 * One event and when it arrived.
	 *
	 * @param event the event
	 * @param nanos {@link System#nanoTime()} when it arrived
	 */
	public record Recorded(DrainPhaseChangedEvent event, long nanos) {

	}

}
