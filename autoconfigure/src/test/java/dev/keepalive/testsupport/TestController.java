package dev.keepalive.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * Endpoints whose timing a test controls: quick, slow, streaming, hanging, and a POST
 * that counts its invocations.
 */
@RestController
public class TestController implements TestEndpoints {

	private final AtomicInteger posts = new AtomicInteger();

	private final AtomicInteger inFlight = new AtomicInteger();

	private final AtomicInteger interrupted = new AtomicInteger();

	private final AtomicInteger hellos = new AtomicInteger();

	private final CountDownLatch release = new CountDownLatch(1);

	private final Queue<DeferredResult<String>> pending = new ConcurrentLinkedQueue<>();

	@GetMapping("/hello")
	String hello() {
		this.hellos.incrementAndGet();
		return "hello";
	}

	/**
	 * Sets a {@code Keep-Alive} header of its own.
	 */
	@GetMapping("/own-keep-alive")
	String ownKeepAlive(HttpServletResponse response) {
		response.setHeader("Keep-Alive", "timeout=99");
		return "own";
	}

	@GetMapping("/work")
	String work(@RequestParam long ms) throws InterruptedException {
		this.inFlight.incrementAndGet();
		try {
			Thread.sleep(ms);
			return "worked " + ms;
		}
		finally {
			this.inFlight.decrementAndGet();
		}
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
	 * Reads the request body {@code size} bytes at a time, pausing {@code pauseMs} before
	 * each read: an application slower than its client.
	 */
	@PostMapping("/read-slowly")
	String readSlowly(@RequestParam int size, @RequestParam long pauseMs, HttpServletRequest request)
			throws IOException, InterruptedException {
		InputStream in = request.getInputStream();
		byte[] buffer = new byte[size];
		long total = 0;
		int read;
		do {
			Thread.sleep(pauseMs);
			read = in.read(buffer);
			total += Math.max(read, 0);
		}
		while (read != -1);
		return "read " + total;
	}

	/**
	 * Commits the response before reading the request body, then answers its length.
	 */
	@PostMapping("/commit-then-read")
	void commitThenRead(HttpServletRequest request, HttpServletResponse response) throws IOException {
		response.setContentType("text/plain");
		response.flushBuffer();
		byte[] body = request.getInputStream().readAllBytes();
		response.getWriter().write("read " + body.length);
	}

	/**
	 * Writes {@code kb} kilobytes as fast as the client takes them, 8 kB at a time, then
	 * {@code trickle} more lines of 10 bytes, one every {@code delayMs}, flushing each.
	 */
	@GetMapping("/download")
	void download(@RequestParam int kb, @RequestParam(defaultValue = "0") int trickle,
			@RequestParam(defaultValue = "0") long delayMs, HttpServletResponse response)
			throws IOException, InterruptedException {
		this.inFlight.incrementAndGet();
		try {
			response.setContentType("application/octet-stream");
			response.setContentLengthLong(kb * 1024L + trickle * 10L);
			OutputStream out = response.getOutputStream();
			byte[] chunk = new byte[8192];
			for (int i = 0; i < kb / 8; i++) {
				out.write(chunk);
			}
			for (int i = 0; i < trickle; i++) {
				out.write("line %04d\n".formatted(i).getBytes(StandardCharsets.US_ASCII));
				out.flush();
				Thread.sleep(delayMs);
			}
		}
		finally {
			this.inFlight.decrementAndGet();
		}
	}

	/**
	 * Writes {@code chunks} lines, one every {@code delayMs}, flushing each.
	 */
	@GetMapping("/stream")
	void stream(@RequestParam int chunks, @RequestParam long delayMs, HttpServletResponse response)
			throws IOException, InterruptedException {
		this.inFlight.incrementAndGet();
		try {
			response.setContentType("text/plain");
			OutputStream out = response.getOutputStream();
			for (int i = 0; i < chunks; i++) {
				out.write(("chunk " + i + "\n").getBytes(StandardCharsets.UTF_8));
				out.flush();
				Thread.sleep(delayMs);
			}
		}
		finally {
			this.inFlight.decrementAndGet();
		}
	}

	/**
	 * Does not return until {@link #releaseHangingRequests()} (or 5 minutes).
	 */
	@GetMapping("/hang")
	String hang() throws InterruptedException {
		this.inFlight.incrementAndGet();
		try {
			this.release.await(5, TimeUnit.MINUTES);
			return "released";
		}
		catch (InterruptedException ex) {
			this.interrupted.incrementAndGet();
			throw ex;
		}
		finally {
			this.inFlight.decrementAndGet();
		}
	}

	/**
	 * Keeps a CPU busy for {@code ms}, whatever happens to its thread or connection.
	 */
	@GetMapping("/spin")
	String spin(@RequestParam long ms) {
		this.inFlight.incrementAndGet();
		try {
			long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
			long spins = 0;
			while (System.nanoTime() - end < 0) {
				spins++;
			}
			return "spun " + spins;
		}
		finally {
			this.inFlight.decrementAndGet();
		}
	}

	/**
	 * Completes asynchronously, with no thread held, on
	 * {@link #releaseHangingRequests()}.
	 */
	@GetMapping("/async")
	DeferredResult<String> async() {
		DeferredResult<String> result = new DeferredResult<>(300_000L);
		this.pending.add(result);
		return result;
	}

	@Override
	public void releaseHangingRequests() {
		this.release.countDown();
		this.pending.forEach((result) -> result.setResult("released"));
	}

	@Override
	public int posts() {
		return this.posts.get();
	}

	/**
	 * Number of {@code /hello} requests handled.
	 */
	@Override
	public int hellos() {
		return this.hellos.get();
	}

	/**
	 * Number of hanging requests whose thread was interrupted.
	 */
	public int interrupted() {
		return this.interrupted.get();
	}

	/**
	 * Number of slow, streaming or hanging requests currently inside the handler.
	 */
	@Override
	public int inFlight() {
		return this.inFlight.get();
	}

}
