package dev.keepalive.server.tomcat;

import java.io.IOException;

import dev.keepalive.server.RequestBodyRate;
import dev.keepalive.server.ServerConnections;
import org.apache.coyote.InputBuffer;
import org.apache.tomcat.util.net.ApplicationBufferHandler;
import org.jspecify.annotations.Nullable;

/**
 * The request's input buffer as the application reads it (Tomcat's public
 * {@code Request.setInputBuffer}), timing how long each read waits for the client. A
 * blocking read returns at once when the client has already sent the bytes, so only the
 * client's slowness is counted.
 */
final class BodyRateInputBuffer implements InputBuffer {

	private final InputBuffer delegate;

	private final KeepAliveHttp11Processor processor;

	private final KeepAliveHttp11NioProtocol protocol;

	BodyRateInputBuffer(InputBuffer delegate, KeepAliveHttp11Processor processor, KeepAliveHttp11NioProtocol protocol) {
		this.delegate = delegate;
		this.processor = processor;
		this.protocol = protocol;
	}

	@Override
	public int doRead(ApplicationBufferHandler handler) throws IOException {
		RequestBodyRate rate = rate();
		if (rate == null) {
			return this.delegate.doRead(handler);
		}
		rate.awaiting(System.nanoTime());
		int count = this.delegate.doRead(handler);
		rate.read(count, System.nanoTime());
		return count;
	}

	private @Nullable RequestBodyRate rate() {
		ServerConnections server = this.protocol.serverConnections();
		if (server == null || server.policy().settings().minRequestBodyRate() <= 0) {
			return null;
		}
		TomcatTrackedConnection connection = this.protocol.tracked(this.processor.socketWrapper());
		return (connection != null) ? connection.requestBodyRate() : null;
	}

	@Override
	public int available() {
		return this.delegate.available();
	}

}
