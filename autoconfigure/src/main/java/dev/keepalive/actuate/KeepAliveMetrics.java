package dev.keepalive.actuate;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.keepalive.drain.DrainPhase;
import dev.keepalive.drain.DrainPhaseChangedEvent;
import dev.keepalive.drain.DrainReport;
import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionState;
import dev.keepalive.server.ConnectorConnections;
import dev.keepalive.server.ManagedConnector;
import dev.keepalive.server.ServerConnections;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationListener;

/**
 * Binds {@code keepalive.connections} (gauge, tags {@code state} and {@code port}),
 * {@code keepalive.connections.http2}, {@code keepalive.streams} and
 * {@code keepalive.idle-timeout} (gauges, tag {@code port}),
 * {@code keepalive.connections.closed} (counter, tag {@code reason}) and
 * {@code keepalive.drain} (timer, tag {@code phase}, recorded when a drain completes) and
 * {@code keepalive.drain.last-new-work} (timer, tag {@code kind}: {@code connection} or
 * {@code request}, recorded when a drain completes if any came).
 */
final class KeepAliveMetrics implements MeterBinder, ApplicationListener<DrainPhaseChangedEvent> {

	private final ServerConnections server;

	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	KeepAliveMetrics(ServerConnections server) {
		this.server = server;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registries.add(registry);
		for (CloseReason reason : CloseReason.values()) {
			FunctionCounter.builder("keepalive.connections.closed", this.server, (server) -> server.closedCount(reason))
				.description("Connections closed, by reason")
				.tag("reason", reason.tag())
				.register(registry);
		}
		// connectors register when the web server starts, after binding
		this.server.forEachConnector((connector) -> bindConnector(connector, registry));
	}

	private void bindConnector(ManagedConnector connector, MeterRegistry registry) {
		ConnectorConnections connections = connector.connections();
		String port = String.valueOf(connector.id().port());
		for (ConnectionState state : ConnectionState.values()) {
			Gauge.builder("keepalive.connections", connections, (c) -> c.counts().get(state))
				.description("Open connections, by state")
				.tag("state", state.tag())
				.tag("port", port)
				.register(registry);
		}
		Gauge.builder("keepalive.connections.http2", connections, (c) -> c.counts().http2())
			.description("Open connections that speak HTTP/2")
			.tag("port", port)
			.register(registry);
		Gauge.builder("keepalive.streams", connections, (c) -> c.counts().streams())
			.description("Open HTTP/2 streams")
			.tag("port", port)
			.register(registry);
		TimeGauge
			.builder("keepalive.idle-timeout", connector, TimeUnit.MILLISECONDS,
					(c) -> c.idleTimeoutInForce().toMillis())
			.description("The idle timeout in force, shorter while the connector is under connection pressure")
			.tag("port", port)
			.register(registry);
	}

	@Override
	public void onApplicationEvent(DrainPhaseChangedEvent event) {
		DrainReport report = event.getReport();
		if (event.getPhase() != DrainPhase.STOPPED || report == null) {
			return;
		}
		for (MeterRegistry registry : this.registries) {
			timer(registry, "drain-delay").record(report.drainDelay());
			timer(registry, "draining").record(report.draining());
			timer(registry, "force-closing").record(report.forceClosing());
			timer(registry, "total").record(report.total());
			recordNewWork(registry, "connection", report.lastNewConnection());
			recordNewWork(registry, "request", report.lastRequest());
		}
	}

	private static void recordNewWork(MeterRegistry registry, String kind, @Nullable Duration after) {
		if (after != null) {
			Timer.builder("keepalive.drain.last-new-work")
				.description("How long after readiness went down the last new connection or request other than a"
						+ " probe arrived in the drain delay: the time the load balancer took to let go")
				.tag("kind", kind)
				.register(registry)
				.record(after);
		}
	}

	private static Timer timer(MeterRegistry registry, String phase) {
		return Timer.builder("keepalive.drain")
			.description("Time spent in each phase of a drain")
			.tag("phase", phase)
			.register(registry);
	}

}
