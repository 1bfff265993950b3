package dev.keepalive.emitter;

import java.util.concurrent.atomic.AtomicInteger;

import dev.keepalive.drain.DrainPhase;
import dev.keepalive.drain.DrainPhaseChangedEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.context.ApplicationListener;

/**
 * The WebFlux counterpart of {@link DrainAwareEmitters}: completes long-lived streams
 * (server-sent events, for example) cleanly when the drain stops accepting, so that their
 * clients reconnect to another instance instead of waiting to be cut at the drain's
 * timeout:
 *
 * <pre class="code">
 * &#64;GetMapping("/ticks")
 * Flux&lt;ServerSentEvent&lt;String&gt;&gt; ticks() {
 *     return ticks.transform(this.fluxes::completeOnDrain);
 * }
 * </pre>
 *
 * A stream subscribed to once the drain has begun completes at once.
 */
public final class DrainAwareFluxes implements ApplicationListener<DrainPhaseChangedEvent> {

	private final Sinks.Empty<Void> draining = Sinks.empty();

	private final AtomicInteger open = new AtomicInteger();

	/**
	 * Complete {@code stream} when the drain stops accepting.
	 * @param <T> the element type
	 * @param stream the stream
	 * @return the stream, completing at the drain
	 */
	public <T> Flux<T> completeOnDrain(Flux<T> stream) {
		return Flux.defer(() -> {
			this.open.incrementAndGet();
			return stream.takeUntilOther(draining()).doFinally((signal) -> this.open.decrementAndGet());
		});
	}

	/**
	 * A signal for streams made another way: completes (empty) when the drain stops
	 * accepting, at once for a subscriber that comes later.
	 * @return the signal
	 */
	public Mono<Void> draining() {
		return this.draining.asMono();
	}

	/**
	 * The number of streams made with {@link #completeOnDrain} still open.
	 * @return the count
	 */
	public int size() {
		return this.open.get();
	}

	@Override
	public void onApplicationEvent(DrainPhaseChangedEvent event) {
		if (event.getPhase() == DrainPhase.DRAINING) {
			this.draining.tryEmitEmpty();
		}
	}

}
