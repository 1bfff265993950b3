package dev.keepalive.server.tomcat;

import java.io.IOException;

import dev.keepalive.server.RequestBodyRate;
import org.apache.coyote.InputBuffer;
import org.apache.tomcat.util.net.ApplicationBufferHandler;

/**
 * The request's input buffer as the application reads it (Tomcat's public
 * {@code Request.setInputBuffer}), timing how long each read waits for the client. A
 * blocking read returns at once when the client has already sent the bytes, so only the
 * client's slowness is counted.
 */
final class BodyRateInputBuffer implements InputBuffer {

	private final InputBuffer delegate;

	private final KeepAliveHttp11Processor processor;

	BodyRateInputBuffer(InputBuffer delegate, KeepAliveHttp11Processor processor) {
		this.delegate = delegate;
		this.processor = processor;
	}

	@Override
	public int doRead(ApplicationBufferHandler handler) throws IOException {
		TomcatTrackedConnection connection = this.processor.timedConnection();
		if (connection == null) {
			return this.delegate.doRead(handler);
		}
		RequestBodyRate rate = connection.requestBodyRate();
		rate.awaiting(System.nanoTime());
		int count = this.delegate.doRead(handler);
		rate.read(count, System.nanoTime());
		return count;
	}

	@Override
	public int available() {
		return this.delegate.available();
	}

}
