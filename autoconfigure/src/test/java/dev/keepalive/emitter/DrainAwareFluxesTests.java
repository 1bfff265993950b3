package dev.keepalive.emitter;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.keepalive.drain.DrainPhase;
import dev.keepalive.drain.DrainPhaseChangedEvent;
import dev.keepalive.server.ConnectionCounts;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Streams made with {@link DrainAwareFluxes} complete at DRAINING, not before, and a
 * stream that starts later completes at once.
 */
class DrainAwareFluxesTests {

	private final DrainAwareFluxes fluxes = new DrainAwareFluxes();

	@Test
	void streamCompletesWhenDrainingBeginsAndNotAtTheDrainDelay() {
		Sinks.Many<String> source = Sinks.many().unicast().onBackpressureBuffer();
		List<String> received = new CopyOnWriteArrayList<>();
		Sinks.Empty<Void> completed = Sinks.empty();
		this.fluxes.completeOnDrain(source.asFlux())
			.subscribe(received::add, completed::tryEmitError, completed::tryEmitEmpty);
		source.tryEmitNext("before");
		assertThat(this.fluxes.size()).isEqualTo(1);
		this.fluxes.onApplicationEvent(event(DrainPhase.DRAIN_DELAY));
		source.tryEmitNext("during the drain delay");
		assertThat(this.fluxes.size()).isEqualTo(1);
		this.fluxes.onApplicationEvent(event(DrainPhase.DRAINING));
		completed.asMono().block(Duration.ofSeconds(5));
		assertThat(received).containsExactly("before", "during the drain delay");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.fluxes.size() == 0);
	}

	@Test
	void streamSubscribedOnceTheDrainHasBegunCompletesAtOnce() {
		this.fluxes.onApplicationEvent(event(DrainPhase.DRAINING));
		List<String> received = this.fluxes.completeOnDrain(Flux.concat(Flux.just("first"), Flux.never()))
			.collectList()
			.block(Duration.ofSeconds(5));
		assertThat(received).isEmpty();
		assertThat(this.fluxes.draining().blockOptional(Duration.ofSeconds(5))).isEmpty();
	}

	private DrainPhaseChangedEvent event(DrainPhase phase) {
		return new DrainPhaseChangedEvent(this, phase, ConnectionCounts.NONE, null);
	}

}
