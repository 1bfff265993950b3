package dev.keepalive.server.jetty;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.keepalive.server.Http2Session;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.http2.HTTP2Session;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

/**
 * The HTTP/2 session of a Jetty connection: its streams and its two GOAWAY frames. Only
 * this class refers to Jetty's HTTP/2 classes, which an application without
 * {@code jetty-http2-server} does not have.
 */
final class JettyHttp2Session implements Http2Session {

	private static final boolean PRESENT = ClassUtils.isPresent("org.eclipse.jetty.http2.HTTP2Connection",
			JettyHttp2Session.class.getClassLoader());

	private static final byte[] DRAINING = "draining".getBytes(StandardCharsets.US_ASCII);

	private final HTTP2Session session;

	private final AtomicBoolean gracefulSent = new AtomicBoolean();

	private final AtomicBoolean finalSent = new AtomicBoolean();

	private JettyHttp2Session(HTTP2Session session) {
		this.session = session;
	}

	/**
	 * The HTTP/2 session of a connection, if it is an HTTP/2 one.
	 * @param connection the connection
	 * @return the session, or {@code null}
	 */
	static @Nullable JettyHttp2Session of(Connection connection) {
		return (PRESENT && connection instanceof HTTP2Connection http2) ? new JettyHttp2Session(http2.getSession())
				: null;
	}

	@Override
	public int streams() {
		return this.session.getStreamCount();
	}

	/**
	 * A graceful GOAWAY, written as a plain frame: Jetty's own graceful close would send
	 * the final one as soon as no stream is open, while the server still accepts.
	 */
	@Override
	public void goAwayGracefully() {
		if (this.gracefulSent.compareAndSet(false, true)) {
			this.session.frames(null, List.of(new GoAwayFrame(Integer.MAX_VALUE, ErrorCode.NO_ERROR.code, DRAINING)),
					Callback.NOOP);
		}
	}

	@Override
	public void goAway() {
		goAway(() -> {
		});
	}

	/**
	 * The final GOAWAY, with the last stream id Jetty has seen: it stops processing
	 * streams above it.
	 * @param then what to do once it is written (or at once if it was sent before)
	 */
	void goAway(Runnable then) {
		goAwayGracefully();
		if (this.finalSent.compareAndSet(false, true)) {
			this.session.close(ErrorCode.NO_ERROR.code, "draining", Callback.from(then));
		}
		else {
			then.run();
		}
	}

	/**
	 * Retire the connection: a graceful GOAWAY through Jetty's own state machine, which
	 * sends the final one and closes the connection once no stream is open.
	 */
	@Override
	public void retire() {
		if (this.gracefulSent.compareAndSet(false, true)) {
			this.session.goAway(GoAwayFrame.GRACEFUL, Callback.NOOP);
		}
	}

}
