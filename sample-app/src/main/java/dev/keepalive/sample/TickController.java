package dev.keepalive.sample;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.keepalive.emitter.DrainAwareEmitters;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /ticks}: a server-sent event every second. Made with
 * {@link DrainAwareEmitters}, so the stream ends cleanly when a drain stops accepting.
 */
@ConditionalOnWebApplication(type = Type.SERVLET)
@RestController
class TickController {

	private final DrainAwareEmitters emitters;

	private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

	TickController(DrainAwareEmitters emitters) {
		this.emitters = emitters;
	}

	@GetMapping("/ticks")
	SseEmitter ticks() {
		SseEmitter emitter = this.emitters.sse(Duration.ofMinutes(30));
		AtomicInteger count = new AtomicInteger();
		ScheduledFuture<?> ticking = this.scheduler.scheduleAtFixedRate(() -> {
			try {
				emitter.send(SseEmitter.event().name("tick").data(count.incrementAndGet() + " " + Instant.now()));
			}
			catch (IOException | IllegalStateException ex) {
				emitter.completeWithError(ex);
			}
		}, 0, 1, TimeUnit.SECONDS);
		emitter.onCompletion(() -> ticking.cancel(false));
		emitter.onError((ex) -> ticking.cancel(false));
		return emitter;
	}

}
