package dev.keepalive.oneserver;

import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A user's application as the README describes it: the starter and one server.
 */
@SpringBootApplication
class OneServerApplication {

	@RestController
	static class WorkController {

		static final AtomicInteger inFlight = new AtomicInteger();

		@GetMapping("/work")
		String work(@RequestParam long ms) throws InterruptedException {
			inFlight.incrementAndGet();
			try {
				Thread.sleep(ms);
				return "worked " + ms;
			}
			finally {
				inFlight.decrementAndGet();
			}
		}

	}

}
