package dev.keepalive.server;

import org.jspecify.annotations.Nullable;

/**
 * Whether one connector is under connection pressure, and the idle timeout it applies
 * meanwhile. Measured by the sweeper; read as responses are committed (the advertised
 * {@code Keep-Alive} timeout), and by the endpoint and meters.
 */
public final class ConnectorPressure {

	private volatile @Nullable Measure measure;

	private volatile boolean underPressure;

	/**
	 * The sweeper's own: when pressure started and when the connector was last above the
	 * mark.
	 */
	private long startedNanos;

	private long aboveMarkNanos;

	private long closedSinceStart;

	ConnectorPressure() {
	}

	/**
	 * The idle timeout the connector applies now.
	 * @param configuredMillis the idle timeout configured on the server
	 * @return {@code configuredMillis}, or less while the connector is past its
	 * high-water mark
	 */
	public long idleTimeoutMillis(long configuredMillis) {
		Measure measure = this.measure;
		return (measure != null) ? Math.min(measure.idleTimeoutMillis(), configuredMillis) : configuredMillis;
	}

	/**
	 * Whether the connector is under pressure: it passed its high-water mark and has not
	 * stayed below it for long since.
	 * @return whether it is under pressure
	 */
	public boolean isUnderPressure() {
		return this.underPressure;
	}

	/**
	 * The maximum connections pressure is measured against.
	 * @return the maximum, or {@code null} if the connector has none, or pressure is off
	 */
	public @Nullable Integer maxConnections() {
		Measure measure = this.measure;
		return (measure != null) ? measure.maxConnections() : null;
	}

	/**
	 * The open connections above which the connector is under pressure.
	 * @return the high-water mark, or {@code null} if the connector has no maximum, or
	 * pressure is off
	 */
	public @Nullable Integer highWaterMark() {
		Measure measure = this.measure;
		return (measure != null) ? measure.highWaterMark() : null;
	}

	void measured(int maxConnections, int highWaterMark, long idleTimeoutMillis) {
		Measure measure = this.measure;
		// a new object only when something changed: this runs every 50 ms
		if (measure == null || measure.maxConnections() != maxConnections || measure.highWaterMark() != highWaterMark
				|| measure.idleTimeoutMillis() != idleTimeoutMillis) {
			this.measure = new Measure(maxConnections, highWaterMark, idleTimeoutMillis);
		}
	}

	void noMaximum() {
		this.measure = null;
	}

	/**
	 * The connector is above its high-water mark.
	 * @return whether pressure starts now
	 */
	boolean aboveMark(long nowNanos) {
		this.aboveMarkNanos = nowNanos;
		if (this.underPressure) {
			return false;
		}
		this.underPressure = true;
		this.startedNanos = nowNanos;
		this.closedSinceStart = 0;
		return true;
	}

	/**
	 * The connector is at or below its high-water mark.
	 * @return whether pressure ends now: it has been at or below the mark for
	 * {@code quietNanos}
	 */
	boolean atOrBelowMark(long nowNanos, long quietNanos) {
		if (!this.underPressure || nowNanos - this.aboveMarkNanos < quietNanos) {
			return false;
		}
		this.underPressure = false;
		return true;
	}

	void closed(int connections) {
		this.closedSinceStart += connections;
	}

	long closedSinceStart() {
		return this.closedSinceStart;
	}

	long startedNanos() {
		return this.startedNanos;
	}

	private record Measure(int maxConnections, int highWaterMark, long idleTimeoutMillis) {

	}

}
