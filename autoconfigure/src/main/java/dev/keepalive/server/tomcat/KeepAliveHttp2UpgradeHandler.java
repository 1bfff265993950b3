package dev.keepalive.server.tomcat;

import java.io.IOException;

import dev.keepalive.server.Http2Session;
import org.apache.coyote.Adapter;
import org.apache.coyote.Request;
import org.apache.coyote.http2.Http2AsyncUpgradeHandler;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.jspecify.annotations.Nullable;

import jakarta.servlet.http.WebConnection;

/**
 * Tomcat's HTTP/2 connection handler with what the drain needs: the number of open
 * streams, and a graceful GOAWAY (highest stream id) that leaves new streams allowed, for
 * the drain delay. The final GOAWAY is Tomcat's own: once paused (when the drain asks),
 * Tomcat answers the next stream a client opens after a round trip with the final GOAWAY,
 * carrying the last stream it processed, and does not process that stream. Tomcat decides
 * both on the thread that reads the frames, so no stream above that id is ever processed.
 */
final class KeepAliveHttp2UpgradeHandler extends Http2AsyncUpgradeHandler implements Http2Session {

	/** HTTP/2's NO_ERROR code (Tomcat's own constant is not public). */
	private static final long NO_ERROR = 0;

	/** Guards the three flags below. */
	private final Object lock = new Object();

	/** Whether Tomcat has sent its preface: no frame may go before it. */
	private boolean started;

	private boolean gracefulWanted;

	private boolean pauseWanted;

	KeepAliveHttp2UpgradeHandler(Http2Protocol protocol, Adapter adapter, @Nullable Request coyoteRequest,
			SocketWrapperBase<?> socketWrapper, TomcatTrackedConnection connection) {
		super(protocol, adapter, coyoteRequest, socketWrapper);
		// registered before the h2c upgrade's first stream runs, so that it is counted
		connection.speaksHttp2(this);
	}

	@Override
	public void init(@Nullable WebConnection webConnection) {
		super.init(webConnection);
		boolean graceful;
		boolean pause;
		synchronized (this.lock) {
			if (this.started) {
				return;
			}
			this.started = true;
			graceful = this.gracefulWanted;
			pause = this.pauseWanted;
		}
		// what the drain asked for before the preface
		if (graceful) {
			writeGracefulGoAway();
		}
		if (pause) {
			pause();
		}
	}

	@Override
	public int streams() {
		return this.activeRemoteStreamCount.get();
	}

	@Override
	public void goAwayGracefully() {
		synchronized (this.lock) {
			if (this.gracefulWanted) {
				return;
			}
			this.gracefulWanted = true;
			if (!this.started) {
				return;
			}
		}
		writeGracefulGoAway();
	}

	/**
	 * Stop new streams: Tomcat's pause, which sends the final GOAWAY when the client next
	 * opens a stream after a round trip.
	 */
	@Override
	public void goAway() {
		goAwayGracefully();
		synchronized (this.lock) {
			this.pauseWanted = true;
			if (!this.started) {
				return;
			}
		}
		pause();
	}

	/**
	 * Tomcat's pause, as for a drain: the client is told at once, and Tomcat closes the
	 * connection once its open streams are done.
	 */
	@Override
	public void retire() {
		goAway();
	}

	private void writeGracefulGoAway() {
		try {
			writeGoAwayFrame((1 << 31) - 1, NO_ERROR, null);
		}
		catch (IOException ex) {
			// the connection is broken: Tomcat closes it
		}
	}

}
