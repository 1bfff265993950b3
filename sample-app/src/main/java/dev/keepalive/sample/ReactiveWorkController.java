package dev.keepalive.sample;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The WebFlux variant of {@link WorkController} (profile {@code webflux}): the same
 * endpoints, none of them holding a thread while it waits.
 */
@ConditionalOnWebApplication(type = Type.REACTIVE)
@RestController
class ReactiveWorkController {

	/**
	 * {@code GET /work?ms=2000} answers after the given time.
	 */
	@GetMapping("/work")
	Mono<String> work(@RequestParam(defaultValue = "0") long ms) {
		return Mono.delay(Duration.ofMillis(ms)).map((tick) -> "worked " + ms + " ms\n");
	}

	/**
	 * {@code POST /echo} answers with the request body.
	 */
	@PostMapping("/echo")
	Mono<String> echo(@RequestBody(required = false) Mono<String> body) {
		return body.defaultIfEmpty("");
	}

	/**
	 * {@code GET /download?mb=64} writes that many megabytes as fast as the client takes
	 * them.
	 */
	@GetMapping("/download")
	Mono<Void> download(@RequestParam(defaultValue = "1") int mb, ServerHttpResponse response) {
		response.getHeaders().setContentType(MediaType.APPLICATION_OCTET_STREAM);
		response.getHeaders().setContentLength(mb * 1024L * 1024L);
		DataBufferFactory buffers = response.bufferFactory();
		return response.writeWith(Flux.range(0, mb * 16).map((i) -> buffers.wrap(new byte[64 * 1024])));
	}

	/**
	 * {@code GET /stream?chunks=10&delayMs=500} writes one line per interval.
	 */
	@GetMapping("/stream")
	Mono<Void> stream(@RequestParam(defaultValue = "10") int chunks, @RequestParam(defaultValue = "500") long delayMs,
			ServerHttpResponse response) {
		response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
		DataBufferFactory buffers = response.bufferFactory();
		Flux<Flux<DataBuffer>> lines = Flux.range(1, chunks)
			.delayElements(Duration.ofMillis(delayMs))
			.map((i) -> Flux
				.just(buffers.wrap(("chunk " + i + " of " + chunks + "\n").getBytes(StandardCharsets.UTF_8))));
		return response.writeAndFlushWith(lines);
	}

}
