package dev.keepalive.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Endpoints that take as long as asked, so every keep-alive and drain behaviour can be
 * tried with {@code curl}.
 */
@ConditionalOnWebApplication(type = Type.SERVLET)
@RestController
class WorkController {

	/**
	 * {@code GET /work?ms=2000} answers after the given time.
	 */
	@GetMapping("/work")
	String work(@RequestParam(defaultValue = "0") long ms) throws InterruptedException {
		Thread.sleep(ms);
		return "worked " + ms + " ms\n";
	}

	/**
	 * {@code POST /echo} answers with the request body.
	 */
	@PostMapping("/echo")
	String echo(@RequestBody(required = false) String body) {
		return (body != null) ? body : "";
	}

	/**
	 * {@code GET /download?mb=64} writes that many megabytes as fast as the client takes
	 * them.
	 */
	@GetMapping("/download")
	void download(@RequestParam(defaultValue = "1") int mb, HttpServletResponse response) throws IOException {
		response.setContentType("application/octet-stream");
		response.setContentLengthLong(mb * 1024L * 1024L);
		OutputStream out = response.getOutputStream();
		byte[] chunk = new byte[64 * 1024];
		for (int i = 0; i < mb * 16; i++) {
			out.write(chunk);
		}
	}

	/**
	 * {@code GET /stream?chunks=10&delayMs=500} writes one line per interval.
	 */
	@GetMapping("/stream")
	void stream(@RequestParam(defaultValue = "10") int chunks, @RequestParam(defaultValue = "500") long delayMs,
			HttpServletResponse response) throws IOException, InterruptedException {
		response.setContentType("text/plain");
		OutputStream out = response.getOutputStream();
		for (int i = 1; i <= chunks; i++) {
			out.write(("chunk " + i + " of " + chunks + "\n").getBytes(StandardCharsets.UTF_8));
			out.flush();
			Thread.sleep(delayMs);
		}
	}

}
