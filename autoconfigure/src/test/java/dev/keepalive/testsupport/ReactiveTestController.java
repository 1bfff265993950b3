package dev.keepalive.testsupport;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
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
	public int hellos() {
		return this.hellos.get();
	}

	@Override
	public int inFlight() {
		return this.inFlight.get();
	}

}
