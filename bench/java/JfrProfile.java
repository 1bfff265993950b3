import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording of an app under load: where its CPU samples fall, how many of
 * them are the starter's own work, and the bytes it allocated per request.
 *
 * <pre>
 * cpu samples N; with a starter frame: N (P %); the starter's own: N (P %)
 *   the starter frames nearest to the top of each stack (method and line), samples
 *   the top methods overall (self samples)
 * allocation: B bytes per request
 * </pre>
 *
 * A sample is the starter's own when the starter frame nearest to the top of its stack is
 * not handing over to what it wraps: the starter wraps the server's handler, processor,
 * adapter and streams, and each wrapper calls the wrapped object's method of the same name,
 * so a frame whose callee has its own method's name stands for the server's or the
 * application's time. Frames of {@code PACKAGE.sample} (the sample application) are not the
 * starter's. The allocation is measured (jdk.ThreadAllocationStatistics, last minus first
 * value of each thread, all threads).
 * <p>
 * Usage: {@code java JfrProfile.java RECORDING REQUESTS PACKAGE [TOP]}.
 */
public class JfrProfile {

	public static void main(String[] args) throws Exception {
		Path recording = Path.of(args[0]);
		long requests = Long.parseLong(args[1]);
		String pkg = args[2] + ".";
		String application = pkg + "sample.";
		int top = (args.length > 3) ? Integer.parseInt(args[3]) : 15;
		long samples = 0;
		long inStarter = 0;
		long own = 0;
		Map<String, Long> innermost = new HashMap<>();
		Map<String, Long> self = new HashMap<>();
		Map<Long, long[]> threadAllocated = new HashMap<>();
		try (RecordingFile file = new RecordingFile(recording)) {
			while (file.hasMoreEvents()) {
				RecordedEvent event = file.readEvent();
				String type = event.getEventType().getName();
				if (type.equals("jdk.ThreadAllocationStatistics")) {
					long bytes = event.getLong("allocated");
					long[] range = threadAllocated.computeIfAbsent(event.getThread("thread").getJavaThreadId(),
							(id) -> new long[] { bytes, bytes });
					range[0] = Math.min(range[0], bytes);
					range[1] = Math.max(range[1], bytes);
				}
				else if (type.equals("jdk.ExecutionSample") && event.getStackTrace() != null) {
					List<RecordedFrame> frames = event.getStackTrace().getFrames();
					samples++;
					if (!frames.isEmpty()) {
						self.merge(method(frames.get(0)), 1L, Long::sum);
					}
					for (int i = 0; i < frames.size(); i++) {
						RecordedFrame frame = frames.get(i);
						String method = method(frame);
						if (method.startsWith(pkg) && !method.startsWith(application)) {
							inStarter++;
							innermost.merge(method + ":" + frame.getLineNumber(), 1L, Long::sum);
							if (i == 0 || !frames.get(i - 1).getMethod().getName().equals(frame.getMethod().getName())) {
								own++;
							}
							break;
						}
					}
				}
			}
		}
		long total = samples;
		System.out.printf("cpu samples %d; with a starter frame: %d (%.2f %%); the starter's own: %d (%.2f %%)%n",
				samples, inStarter, percent(inStarter, total), own, percent(own, total));
		print("  starter frames nearest to the top of the stack, samples (% of all):", innermost, top,
				(v) -> String.format("%6d %6.2f %%", v, percent(v, total)));
		print("  methods overall, self samples (% of all):", self, top,
				(v) -> String.format("%6d %6.2f %%", v, percent(v, total)));
		long allocated = threadAllocated.values().stream().mapToLong((range) -> range[1] - range[0]).sum();
		System.out.printf("allocation: %d bytes per request (all threads, over the recording)%n", allocated / requests);
	}

	private static double percent(long part, long whole) {
		return (whole > 0) ? 100.0 * part / whole : 0;
	}

	private static String method(RecordedFrame frame) {
		return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
	}

	private static void print(String title, Map<String, Long> counts, int top,
			java.util.function.LongFunction<String> format) {
		System.out.println(title);
		counts.entrySet()
			.stream()
			.sorted(Map.Entry.<String, Long>comparingByValue().reversed())
			.limit(top)
			.forEach((entry) -> System.out.println("    " + format.apply(entry.getValue()) + "  " + entry.getKey()));
	}

}
