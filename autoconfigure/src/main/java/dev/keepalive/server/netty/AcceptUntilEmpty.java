package dev.keepalive.server.netty;

import io.netty.channel.ChannelOption;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The listening channel's read allocator, Netty's own (or the application's) until the
 * drain begins; from then on a batch of accepts goes on until the queue is empty or the
 * batch is full. Netty's native Linux transport otherwise accepts one connection per
 * event loop turn, and then the end of a batch tells nothing about the queue.
 */
final class AcceptUntilEmpty implements MaxMessagesRecvByteBufAllocator {

	/** Netty's batch size for listening channels (their channel metadata's). */
	private static final int DEFAULT_MAX_MESSAGES_PER_READ = 16;

	private final MaxMessagesRecvByteBufAllocator delegate;

	private volatile boolean untilEmpty;

	private AcceptUntilEmpty(MaxMessagesRecvByteBufAllocator delegate) {
		this.delegate = delegate;
	}

	/**
	 * Wrap the listening channel's allocator, Netty's default if none is configured.
	 * @param configured the {@link ChannelOption#RCVBUF_ALLOCATOR} option, if set
	 * @return the allocator to set instead, or {@code null} to leave a configured one
	 * that cannot be wrapped alone
	 */
	static @Nullable AcceptUntilEmpty wrap(@Nullable Object configured) {
		if (configured == null) {
			return new AcceptUntilEmpty(
					new ServerChannelRecvByteBufAllocator().maxMessagesPerRead(DEFAULT_MAX_MESSAGES_PER_READ));
		}
		return (configured instanceof MaxMessagesRecvByteBufAllocator max) ? new AcceptUntilEmpty(max) : null;
	}

	/**
	 * From now on, batches go on until the queue is empty.
	 */
	void start() {
		this.untilEmpty = true;
	}

	@Override
	public int maxMessagesPerRead() {
		return this.delegate.maxMessagesPerRead();
	}

	@Override
	public MaxMessagesRecvByteBufAllocator maxMessagesPerRead(int maxMessagesPerRead) {
		this.delegate.maxMessagesPerRead(maxMessagesPerRead);
		return this;
	}

	@Override
	public Handle newHandle() {
		Handle handle = this.delegate.newHandle();
		return (handle instanceof ExtendedHandle extended) ? new UntilEmptyHandle(extended) : handle;
	}

	/**
	 * Ignores whether the transport expects more once the drain has begun: the batch
	 * stops where an accept finds the queue empty, or at its size.
	 */
	private final class UntilEmptyHandle extends RecvByteBufAllocator.DelegatingHandle
			implements RecvByteBufAllocator.ExtendedHandle {

		UntilEmptyHandle(ExtendedHandle delegate) {
			super(delegate);
		}

		@Override
		public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
			return ((ExtendedHandle) delegate()).continueReading(
					AcceptUntilEmpty.this.untilEmpty ? UncheckedBooleanSupplier.TRUE_SUPPLIER : maybeMoreDataSupplier);
		}

		@Override
		public boolean continueReading() {
			return AcceptUntilEmpty.this.untilEmpty ? continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)
					: delegate().continueReading();
		}

	}

}
