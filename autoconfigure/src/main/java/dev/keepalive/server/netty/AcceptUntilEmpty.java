package dev.keepalive.server.netty;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The listening channel's read allocator, Netty's own (or the application's) until the
 * drain begins; from then on a batch of accepts goes on until the queue is empty (or
 * {@link #DRAIN_BATCH} connections). Netty's native Linux transport otherwise accepts one
 * connection per event loop turn (at most 16 per turn on Java NIO): the end of a batch
 * tells nothing about the queue, and a proxy that opens new connections as fast as a busy
 * event loop turns, as nginx does when its connections get {@code Connection: close},
 * keeps the queue from ever being found empty.
 */
final class AcceptUntilEmpty implements MaxMessagesRecvByteBufAllocator {

	/** Netty's batch size for listening channels (their channel metadata's). */
	private static final int DEFAULT_MAX_MESSAGES_PER_READ = 16;

	/**
	 * The most connections a batch takes once the drain has begun: a bound only against a
	 * flood that would hold the event loop's other connections back for good.
	 */
	static final int DRAIN_BATCH = 1024;

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
	 * Netty's handle until the drain begins; then the batch stops only where an accept
	 * finds the queue empty, or at {@link #DRAIN_BATCH}.
	 */
	private final class UntilEmptyHandle extends RecvByteBufAllocator.DelegatingHandle
			implements RecvByteBufAllocator.ExtendedHandle {

		private @Nullable ChannelConfig config;

		private int messages;

		UntilEmptyHandle(ExtendedHandle delegate) {
			super(delegate);
		}

		@Override
		public void reset(ChannelConfig config) {
			this.config = config;
			this.messages = 0;
			super.reset(config);
		}

		@Override
		public void incMessagesRead(int numMessages) {
			this.messages += numMessages;
			super.incMessagesRead(numMessages);
		}

		@Override
		public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
			return AcceptUntilEmpty.this.untilEmpty ? untilEmpty()
					: ((ExtendedHandle) delegate()).continueReading(maybeMoreDataSupplier);
		}

		@Override
		public boolean continueReading() {
			return AcceptUntilEmpty.this.untilEmpty ? untilEmpty() : delegate().continueReading();
		}

		private boolean untilEmpty() {
			ChannelConfig config = this.config;
			return config != null && config.isAutoRead() && this.messages < DRAIN_BATCH;
		}

	}

}
