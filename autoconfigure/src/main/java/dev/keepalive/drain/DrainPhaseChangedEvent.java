package dev.keepalive.drain;

import dev.keepalive.server.ConnectionCounts;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;

/**
 * Published when a drain enters a phase.
 */
public class DrainPhaseChangedEvent extends ApplicationEvent {

	private final DrainPhase phase;

	private final ConnectionCounts connections;

	private final @Nullable DrainReport report;

	/**
	 * Create a new event.
	 * @param source the drain
	 * @param phase the phase entered
	 * @param connections the open connections across all connectors, at entry
	 * @param report the report, when {@code phase} is {@link DrainPhase#STOPPED}
	 */
	public DrainPhaseChangedEvent(Object source, DrainPhase phase, ConnectionCounts connections,
			@Nullable DrainReport report) {
		super(source);
		this.phase = phase;
		this.connections = connections;
		this.report = report;
	}

	/**
	 * The phase entered.
	 * @return the phase
	 */
	public DrainPhase getPhase() {
		return this.phase;
	}

	/**
	 * The open connections across all connectors when the phase began.
	 * @return the counts
	 */
	public ConnectionCounts getConnections() {
		return this.connections;
	}

	/**
	 * The report of the drain, available when it has {@link DrainPhase#STOPPED}.
	 * @return the report, or {@code null}
	 */
	public @Nullable DrainReport getReport() {
		return this.report;
	}

}
