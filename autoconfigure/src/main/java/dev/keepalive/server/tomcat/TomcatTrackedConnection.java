package dev.keepalive.server.tomcat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.Lock;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionPolicy;
import dev.keepalive.server.ConnectionState;
import dev.keepalive.server.Http2Session;
import dev.keepalive.server.ServerConnections;
import dev.keepalive.server.TrackedConnection;
import org.apache.coyote.Response;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.jspecify.annotations.Nullable;

/**
 * A Tomcat connection. Its state is set by {@link TrackingHandler} under the socket lock;
 * closing from another thread takes the same lock, or, for a connection a request thread
 * is using, shuts the TCP connection down so that Tomcat closes it on that thread.
 */
final class TomcatTrackedConnection extends TrackedConnection {

	private static final byte[] REQUEST_TIMEOUT = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
		.getBytes(StandardCharsets.ISO_8859_1);

	private final SocketWrapperBase<NioChannel> wrapper;

	/**
	 * The channel captured at accept: unlike the pooled NioChannel it never belongs to
	 * another connection.
	 */
	private final SocketChannel channel;

	private volatile ConnectionState state = ConnectionState.IDLE;

	private volatile long headersStartedNanos;

	private volatile int responses;

	private volatile boolean resetting;

	/**
	 * The response last committed, for the bytes written; read after {@link #responses},
	 * which publishes it.
	 */
	private @Nullable Response response;

	TomcatTrackedConnection(ConnectionPolicy policy, SocketWrapperBase<NioChannel> wrapper, SocketChannel channel) {
		super(policy);
		this.wrapper = wrapper;
		this.channel = channel;
	}

	@Override
	protected ConnectionState serverState() {
		return this.state;
	}

	/**
	 * The connection now speaks HTTP/2.
	 */
	void speaksHttp2(KeepAliveHttp2UpgradeHandler http2) {
		http2(http2);
	}

	void setState(ConnectionState state) {
		this.state = state;
	}

	@Override
	public long headersStartedNanos() {
		return this.headersStartedNanos;
	}

	void setHeadersStartedNanos(long nanos) {
		this.headersStartedNanos = nanos;
	}

	/**
	 * Count a response commit.
	 * @return the number of responses on this connection, this one included
	 */
	int responseCommitted(Response response) {
		this.response = response;
		// one commit at a time per connection; the volatile write publishes the response
		return ++this.responses;
	}

	@Override
	protected boolean serverHasHadRequest() {
		return this.responses > 0;
	}

	@Override
	public long idleMillis() {
		// Tomcat's own idle clock, the one its poller times connections out with
		return (this.wrapper instanceof NioEndpoint.NioSocketWrapper nio)
				? System.currentTimeMillis() - Math.max(nio.getLastRead(), nio.getLastWrite()) : 0;
	}

	@Override
	public boolean isWriteBlocked() {
		// a blocking or non-blocking write that found the send buffer full waits for the
		// poller to see the socket writable
		return this.wrapper instanceof NioEndpoint.NioSocketWrapper nio && nio.interestOpsHas(SelectionKey.OP_WRITE);
	}

	@Override
	public long bytesWritten() {
		// Tomcat counts what went to the socket (its own buffer included) per response
		Response response = (this.responses > 0) ? this.response : null;
		return (response != null) ? response.getBytesWritten(false) : 0;
	}

	@Override
	public @Nullable InetSocketAddress remoteAddress() {
		try {
			return (InetSocketAddress) this.channel.getRemoteAddress();
		}
		catch (IOException ex) {
			return null;
		}
	}

	@Override
	public boolean closeIfIdle(CloseReason reason) {
		Http2Session http2 = http2();
		if (http2 != null) {
			if (http2.streams() > 0 || this.wrapper.isClosed()) {
				return false;
			}
			boolean recorded = closingFor(reason);
			http2.goAway();
			shutdown();
			return recorded;
		}
		return closeUnderLockIf(ConnectionState.IDLE, reason, false);
	}

	@Override
	public boolean closeIfReadingHeaders() {
		return closeUnderLockIf(ConnectionState.READING_HEADERS, CloseReason.HEADERS_TIMEOUT, true);
	}

	private boolean closeUnderLockIf(ConnectionState expected, CloseReason reason, boolean sendRequestTimeout) {
		if (this.state != expected) {
			return false;
		}
		Lock lock = this.wrapper.getLock();
		if (!lock.tryLock()) {
			return false;
		}
		try {
			if (this.state != expected || this.wrapper.isClosed()) {
				return false;
			}
			boolean recorded = closingFor(reason);
			if (sendRequestTimeout) {
				writeRequestTimeout();
			}
			this.wrapper.close();
			return recorded;
		}
		finally {
			lock.unlock();
		}
	}

	private void writeRequestTimeout() {
		try {
			// non-blocking: a client that does not read must not stall the caller
			this.wrapper.write(false, ByteBuffer.wrap(REQUEST_TIMEOUT));
			this.wrapper.flush(false);
		}
		catch (IOException ex) {
			// the client is gone; closing is all that is left
		}
	}

	@Override
	protected void abort(boolean requestTimeout) {
		if (requestTimeout) {
			writeRequestTimeout();
		}
		shutdown();
	}

	@Override
	protected void close() {
		if (closeIfIdle(CloseReason.FORCED)
				|| closeUnderLockIf(ConnectionState.READING_HEADERS, CloseReason.FORCED, false)) {
			return;
		}
		shutdown();
	}

	@Override
	protected void reset() {
		try {
			// the close that follows the failed write then resets
			this.channel.setOption(StandardSocketOptions.SO_LINGER, 0);
		}
		catch (IOException ex) {
			// already closed
		}
		this.resetting = true;
		shutdown();
	}

	/**
	 * Close the connection, which is being reset, once its thread is done with it, and
	 * wake its poller: Java closes a channel registered with a selector (sending the
	 * reset) only at that selector's next pass, which Tomcat's poller may not make for a
	 * second.
	 * @return whether it was being reset and is now closed
	 */
	boolean closeIfResetting() {
		if (!this.resetting) {
			return false;
		}
		this.wrapper.close();
		if (this.wrapper instanceof NioEndpoint.NioSocketWrapper nio) {
			nio.getPoller().getSelector().wakeup();
		}
		return true;
	}

	/**
	 * Close a connection that a request thread may be using (async and upgraded ones do
	 * so without the lock), where closing the wrapper could recycle its buffers under
	 * that thread: shutting the socket down makes its next read or write fail, and Tomcat
	 * closes it there.
	 */
	private void shutdown() {
		try {
			// output first: a thread woken by the end of its input answers its failed
			// read (400, 500), and nothing may follow what was sent before (a 408)
			this.channel.shutdownOutput();
			this.channel.shutdownInput();
		}
		catch (IOException ex) {
			// already closed
		}
	}

}
