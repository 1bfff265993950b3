package dev.keepalive.sample;

import java.time.Duration;
import java.time.Instant;

import dev.keepalive.emitter.DrainAwareFluxes;
import reactor.core.publisher.Flux;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /ticks} in the WebFlux variant: a server-sent event every second, completed
 * by {@link DrainAwareFluxes} when a drain stops accepting.
 */
@ConditionalOnWebApplication(type = Type.REACTIVE)
@RestController
class ReactiveTickController {

	private final DrainAwareFluxes fluxes;

	ReactiveTickController(DrainAwareFluxes fluxes) {
		this.fluxes = fluxes;
	}

	@GetMapping("/ticks")
	Flux<ServerSentEvent<String>> ticks() {
		return Flux.interval(Duration.ZERO, Duration.ofSeconds(1))
			.map((count) -> ServerSentEvent.builder((count + 1) + " " + Instant.now()).event("tick").build())
			.transform(this.fluxes::completeOnDrain);
	}

}
