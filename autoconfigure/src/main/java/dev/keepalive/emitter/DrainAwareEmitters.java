package dev.keepalive.emitter;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.keepalive.drain.DrainPhase;
import dev.keepalive.drain.DrainPhaseChangedEvent;

import org.springframework.context.ApplicationListener;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Creates long-lived responses ({@link SseEmitter}, {@link ResponseBodyEmitter}) that end
 * cleanly when the drain stops accepting, so that their clients reconnect to another
 * instance instead of waiting to be cut at the drain's timeout:
 *
 * <pre class="code">
 * &#64;GetMapping("/ticks")
 * SseEmitter ticks() {
 *     SseEmitter emitter = this.emitters.sse();
 *     ...
 *     return emitter;
 * }
 * </pre>
 *
 * Streams written another way can listen for {@link DrainPhaseChangedEvent} with
 * {@link DrainPhase#DRAINING} and finish themselves.
 */
public final class DrainAwareEmitters implements ApplicationListener<DrainPhaseChangedEvent> {

	private final Set<ResponseBodyEmitter> emitters = ConcurrentHashMap.newKeySet();

	private volatile boolean draining;

	/**
	 * Create an {@link SseEmitter} with the server's default async timeout.
	 * @return the emitter
	 */
	public SseEmitter sse() {
		return register(new SseEmitter());
	}

	/**
	 * Create an {@link SseEmitter}.
	 * @param timeout how long it may stay open
	 * @return the emitter
	 */
	public SseEmitter sse(Duration timeout) {
		return register(new SseEmitter(timeout.toMillis()));
	}

	/**
	 * Create a {@link ResponseBodyEmitter} with the server's default async timeout.
	 * @return the emitter
	 */
	public ResponseBodyEmitter responseBody() {
		return register(new ResponseBodyEmitter());
	}

	/**
	 * Complete an emitter created elsewhere (a subclass, for example) when the drain
	 * stops accepting.
	 * @param <T> the emitter type
	 * @param emitter the emitter
	 * @return the emitter
	 */
	public <T extends ResponseBodyEmitter> T register(T emitter) {
		this.emitters.add(emitter);
		Runnable forget = () -> this.emitters.remove(emitter);
		emitter.onCompletion(forget);
		emitter.onTimeout(forget);
		emitter.onError((ex) -> forget.run());
		if (this.draining) {
			complete(emitter);
		}
		return emitter;
	}

	/**
	 * The number of emitters still open.
	 * @return the count
	 */
	public int size() {
		return this.emitters.size();
	}

	@Override
	public void onApplicationEvent(DrainPhaseChangedEvent event) {
		if (event.getPhase() == DrainPhase.DRAINING) {
			this.draining = true;
			this.emitters.forEach(this::complete);
		}
	}

	private void complete(ResponseBodyEmitter emitter) {
		this.emitters.remove(emitter);
		emitter.complete();
	}

}
