package dev.keepalive.actuate;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.keepalive.drain.DrainPhase;
import dev.keepalive.drain.DrainReport;
import dev.keepalive.drain.ServerDrain;
import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionCounts;
import dev.keepalive.server.ConnectorLimits;
import dev.keepalive.server.ConnectorPressure;
import dev.keepalive.server.ManagedConnector;
import dev.keepalive.server.ServerConnections;
import dev.keepalive.server.ServerKeepAliveSettings;
import dev.keepalive.support.Durations;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code keepalive} actuator endpoint: connections by state per connector, the limits
 * in force, close counts and the drain. Its write operation drains the server at runtime;
 * by default only reads are allowed
 * ({@code management.endpoint.keepalive.access=unrestricted} allows the drain). No client
 * addresses are exposed.
 */
@Endpoint(id = "keepalive", defaultAccess = Access.READ_ONLY)
public class KeepAliveEndpoint {

	private final ServerConnections server;

	private final ServerDrain drain;

	/**
	 * Create a new endpoint.
	 * @param server the connections
	 * @param drain the drain
	 */
	public KeepAliveEndpoint(ServerConnections server, ServerDrain drain) {
		this.server = server;
		this.drain = drain;
	}

	@ReadOperation
	public KeepAliveDescriptor keepAlive() {
		List<ConnectorDescriptor> connectors = this.server.connectors().stream().map(this::describe).toList();
		Map<String, Long> closed = new LinkedHashMap<>();
		for (CloseReason reason : CloseReason.values()) {
			closed.put(reason.tag(), this.server.closedCount(reason));
		}
		DrainReport report = this.drain.report();
		return new KeepAliveDescriptor(this.drain.phase(), connectors, closed,
				(report != null) ? DrainReportDescriptor.of(report) : null);
	}

	/**
	 * Drain the server now, keeping the application running, and return the report. The
	 * request that asks for it is answered after the drain, with
	 * {@code Connection: close}.
	 * @param drainDelay how long to keep serving with readiness down, for example
	 * {@code 5s}; defaults to {@code keepalive.shutdown.drain-delay}
	 * @param timeout how long to wait for open connections; defaults to
	 * {@code keepalive.shutdown.timeout}
	 * @return the report
	 */
	@WriteOperation
	public DrainReportDescriptor drain(@Nullable Duration drainDelay, @Nullable Duration timeout) {
		DrainReport report = this.drain.drain((drainDelay != null) ? drainDelay : this.drain.settings().drainDelay(),
				(timeout != null) ? timeout : this.drain.settings().timeout());
		return DrainReportDescriptor.of(report);
	}

	private ConnectorDescriptor describe(ManagedConnector connector) {
		ConnectorLimits limits = connector.limits();
		ServerKeepAliveSettings settings = this.server.policy().settings();
		return new ConnectorDescriptor(connector.id().port(), connector.id().scheme(), connector.connections().counts(),
				new LimitsDescriptor(Durations.format(limits.idleTimeout()), Durations.format(limits.headersTimeout()),
						limits.maxRequestsPerConnection(),
						(limits.maxConnectionAge() != null) ? Durations.format(limits.maxConnectionAge()) : null,
						(settings.minRequestBodyRate() > 0) ? settings.minRequestBodyRate() + "B" : null,
						(this.server.minResponseRate() > 0) ? this.server.minResponseRate() + "B" : null,
						Durations.format(settings.minDataRateGrace()), limits.maxConnections()),
				PressureDescriptor.of(connector.connections().pressure(), connector.idleTimeoutInForce()));
	}

	/**
	 * The state of Keepalive.
	 *
	 * @param phase the drain phase
	 * @param connectors the connectors
	 * @param closed connections closed since start, by reason
	 * @param lastDrain the report of the drain, once there was one
	 */
	public record KeepAliveDescriptor(DrainPhase phase, List<ConnectorDescriptor> connectors, Map<String, Long> closed,
			@Nullable DrainReportDescriptor lastDrain) {

	}

	/**
	 * One connector.
	 *
	 * @param port the local port
	 * @param scheme {@code http} or {@code https}
	 * @param connections open connections by state
	 * @param limits the limits in force
	 * @param pressure connection pressure
	 */
	public record ConnectorDescriptor(int port, String scheme, ConnectionCounts connections, LimitsDescriptor limits,
			PressureDescriptor pressure) {

	}

	/**
	 * Connection pressure on a connector.
	 *
	 * @param underPressure whether the connector is past its high-water mark (or was,
	 * less than 5 seconds ago)
	 * @param idleTimeout the idle timeout in force, shorter than the configured one while
	 * past the mark
	 * @param maxConnections the maximum pressure is measured against, {@code null} if the
	 * connector has none or pressure is off
	 * @param highWaterMark the open connections above which the connector is under
	 * pressure, {@code null} likewise
	 */
	public record PressureDescriptor(boolean underPressure, String idleTimeout, @Nullable Integer maxConnections,
			@Nullable Integer highWaterMark) {

		static PressureDescriptor of(ConnectorPressure pressure, Duration idleTimeout) {
			return new PressureDescriptor(pressure.isUnderPressure(), Durations.format(idleTimeout),
					pressure.maxConnections(), pressure.highWaterMark());
		}

	}

	/**
	 * The limits a connector applies.
	 *
	 * @param idleTimeout idle timeout
	 * @param headersTimeout headers timeout
	 * @param maxRequestsPerConnection requests per connection, {@code null} for none
	 * @param maxConnectionAge maximum age, {@code null} for none
	 * @param minRequestBodyRate minimum request body rate per second, {@code null} for
	 * none
	 * @param minResponseRate minimum response rate per second, {@code null} for none (or
	 * not on Linux)
	 * @param minDataRateGrace time waited for a body, or for a client to take a response,
	 * before their rates count
	 * @param maxConnections the server's own limit of open connections, {@code null} for
	 * none
	 */
	public record LimitsDescriptor(String idleTimeout, String headersTimeout,
			@Nullable Integer maxRequestsPerConnection, @Nullable String maxConnectionAge,
			@Nullable String minRequestBodyRate, @Nullable String minResponseRate, String minDataRateGrace,
			@Nullable Integer maxConnections) {

	}

	/**
	 * A drain report, durations in milliseconds.
	 *
	 * @param trigger {@code shutdown} or {@code runtime}
	 * @param startedAt when it began (ISO-8601)
	 * @param drainDelayMillis time in DRAIN_DELAY
	 * @param drainingMillis time in DRAINING
	 * @param forceClosingMillis time in FORCE_CLOSING
	 * @param totalMillis the whole drain
	 * @param requestsServed responses sent during the drain
	 * @param takenFromAcceptQueue connections taken from the accept queue when the server
	 * stopped accepting
	 * @param closedIdle connections closed idle
	 * @param closedAfterResponse connections closed after their last response
	 * @param closedUpgraded upgraded connections closed within the grace
	 * @param forced connections closed regardless
	 * @param drainDelayEnd why the drain delay ended: {@code quiet} or {@code maximum}
	 * @param lastNewConnectionMillis when, after readiness went down, the last new
	 * connection that brought work was opened; {@code null} if none was
	 * @param lastRequestMillis when, after readiness went down, the last request other
	 * than a probe arrived in the drain delay; {@code null} if none did
	 */
	public record DrainReportDescriptor(String trigger, String startedAt, long drainDelayMillis, long drainingMillis,
			long forceClosingMillis, long totalMillis, long requestsServed, long takenFromAcceptQueue, long closedIdle,
			long closedAfterResponse, long closedUpgraded, long forced, String drainDelayEnd,
			@Nullable Long lastNewConnectionMillis, @Nullable Long lastRequestMillis) {

		static DrainReportDescriptor of(DrainReport report) {
			return new DrainReportDescriptor(report.trigger(), report.startedAt().toString(),
					report.drainDelay().toMillis(), report.draining().toMillis(), report.forceClosing().toMillis(),
					report.total().toMillis(), report.requestsServed(), report.takenFromAcceptQueue(),
					report.closedIdle(), report.closedAfterResponse(), report.closedUpgraded(), report.forced(),
					report.drainDelayEnd().description(), millis(report.lastNewConnection()),
					millis(report.lastRequest()));
		}

		private static @Nullable Long millis(@Nullable Duration duration) {
			return (duration != null) ? duration.toMillis() : null;
		}

	}

}
