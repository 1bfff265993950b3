package dev.keepalive.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The WebFlux counterpart of {@link TestController}'s endpoints that suites run on both
 * stacks use: slow and hanging requests hold no thread, as in a reactive application.
 */
@RestController
public class ReactiveTestController implements TestEndpoints {

	private final AtomicInteger inFlight = new AtomicInteger();

	private final AtomicInteger hellos = new AtomicInteger();

	private final AtomicInteger posts = new AtomicInteger();

	private final Sinks.Empty<Void> release = Sinks.empty();

	@GetMapping("/hello")
	String hello() {
		this.hellos.incrementAndGet();
		return "hello";
	}

	/**
	 * Sets a {@code Keep-Alive} header of its own.
	 */
	@GetMapping("/own-keep-alive")
	String ownKeepAlive(ServerHttpResponse response) {
		response.getHeaders().set("Keep-Alive", "timeout=99");
		return "own";
	}

	/**
	 * Answers without reading the request body.
	 */
	@PostMapping("/ignore")
	String ignore() {
		return "ignored";
	}

	@PostMapping("/echo")
	String echo(@RequestBody String body) {
		this.posts.incrementAndGet();
		return body;
	}

	/**
	 * Takes the request body one buffer at a time, {@code pauseMs} before asking for
	 * each: an application slower than its client.
	 */
	@PostMapping("/read-slowly")
	Mono<String> readSlowly(@RequestParam long pauseMs, ServerHttpRequest request) {
		return request.getBody()
			.limitRate(1)
			.concatMap((buffer) -> Mono.delay(Duration.ofMillis(pauseMs)).map((tick) -> release(buffer)), 1)
			.reduce(0L, Long::sum)
			.map((total) -> "read " + total);
	}

	/**
	 * Commits the response before reading the request body, then answers its length.
	 */
	@PostMapping("/commit-then-read")
	Mono<Void> commitThenRead(ServerHttpRequest request, ServerHttpResponse response) {
		response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
		Mono<DataBuffer> length = request.getBody()
			.map(ReactiveTestController::release)
			.reduce(0L, Long::sum)
			.map((total) -> response.bufferFactory().wrap(("read " + total).getBytes(StandardCharsets.US_ASCII)));
		// the empty first part is flushed: the response is committed before the body is
		// read
		return response.writeAndFlushWith(Flux.just(Flux.empty(), length));
	}

	/**
	 * Writes {@code kb} kilobytes as fast as the client takes them, 8 kB at a time, then
	 * {@code trickle} more lines of 10 bytes, one every {@code delayMs}, flushing each.
	 */
	@GetMapping("/download")
	Mono<Void> download(@RequestParam int kb, @RequestParam(defaultValue = "0") int trickle,
			@RequestParam(defaultValue = "0") long delayMs, ServerHttpResponse response) {
		response.getHeaders().setContentType(MediaType.APPLICATION_OCTET_STREAM);
		response.getHeaders().setContentLength(kb * 1024L + trickle * 10L);
		DataBufferFactory buffers = response.bufferFactory();
		Flux<DataBuffer> bulk = Flux.range(0, kb / 8).map((i) -> buffers.wrap(new byte[8192]));
		Flux<Flux<DataBuffer>> lines = Flux.range(0, trickle)
			.concatMap((i) -> Mono.delay(Duration.ofMillis((i > 0) ? delayMs : 0))
				.map((tick) -> Flux
					.just(buffers.wrap("line %04d\n".formatted(i).getBytes(StandardCharsets.US_ASCII)))));
		return Mono.defer(() -> {
			this.inFlight.incrementAndGet();
			return response.writeAndFlushWith(Flux.concat(Flux.just(bulk), lines))
				.doFinally((signal) -> this.inFlight.decrementAndGet());
		});
	}

	/**
	 * A body of unknown length, flushed chunk by chunk.
	 */
	@GetMapping("/stream")
	Mono<Void> stream(@RequestParam int chunks, @RequestParam long delayMs, ServerHttpResponse response) {
		response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
		DataBufferFactory buffers = response.bufferFactory();
		Flux<Flux<DataBuffer>> lines = Flux.range(0, chunks)
			.concatMap((i) -> Mono.delay(Duration.ofMillis((i > 0) ? delayMs : 0))
				.map((tick) -> Flux.just(buffers.wrap("chunk %d\n".formatted(i).getBytes(StandardCharsets.US_ASCII)))));
		return Mono.defer(() -> {
			this.inFlight.incrementAndGet();
			return response.writeAndFlushWith(lines).doFinally((signal) -> this.inFlight.decrementAndGet());
		});
	}

	private static long release(DataBuffer buffer) {
		long count = buffer.readableByteCount();
		DataBufferUtils.release(buffer);
		return count;
	}

	@GetMapping("/work")
	Mono<String> work(@RequestParam long ms) {
		return inFlight(Mono.delay(Duration.ofMillis(ms)).map((tick) -> "worked " + ms));
	}

	/**
	 * Does not complete until {@link #releaseHangingRequests()} (or 5 minutes).
	 */
	@GetMapping("/hang")
	Mono<String> hang() {
		return inFlight(this.release.asMono().then(Mono.just("released")).timeout(Duration.ofMinutes(5)));
	}

	private Mono<String> inFlight(Mono<String> answer) {
		return Mono.defer(() -> {
			this.inFlight.incrementAndGet();
			return answer.doFinally((signal) -> this.inFlight.decrementAndGet());
		});
	}

	@Override
	public void releaseHangingRequests() {
		this.release.tryEmitEmpty();
	}

	@Override
	public int posts() {
		return this.posts.get();
	}

	@Override
	public int hellos() {
		return this.hellos.get();
	}

	@Override
	public int inFlight() {
		return this.inFlight.get();
	}

}
