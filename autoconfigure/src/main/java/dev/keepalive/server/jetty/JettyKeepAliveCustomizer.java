package dev.keepalive.server.jetty;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.keepalive.server.ConnectorConnections;
import dev.keepalive.server.ServerConnections;
import dev.keepalive.server.ServerPropertyOverrides;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.Container;
import org.eclipse.jetty.util.component.LifeCycle;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Applies Keepalive to every connector of the Jetty server: the idle timeout, a request
 * customizer that decides {@code Connection} and {@code Keep-Alive} when each response is
 * committed, and connection tracking.
 */
final class JettyKeepAliveCustomizer implements WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory>, Ordered {

	/**
	 * After Spring Boot's own {@code JettyWebServerFactoryCustomizer} (order 0), so that
	 * the server customizer added here runs after Boot's and its values win.
	 */
	static final int ORDER = 100;

	private final ServerConnections serverConnections;

	private final Environment environment;

	JettyKeepAliveCustomizer(ServerConnections serverConnections, Environment environment) {
		this.serverConnections = serverConnections;
		this.environment = environment;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void customize(ConfigurableJettyWebServerFactory factory) {
		new ServerPropertyOverrides(this.environment).warnIfDifferent("server.jetty.connection-idle-timeout",
				this.serverConnections.policy().settings().idleTimeout(), "keepalive.server.idle-timeout");
		factory.addServerCustomizers(this::customize);
	}

	private void customize(Server server) {
		Map<Connector, JettyConnectionTracker> trackers = new ConcurrentHashMap<>();
		server.setHandler(new AsyncTrackingHandler(server.getHandler(), trackers, this.serverConnections));
		// A container listener also sees connectors added later (SSL replaces Boot's one,
		// applications add their own) and is replayed the ones already there. Spring Boot
		// removes and re-adds them before starting: each is customized once.
		server.addEventListener(new Container.Listener() {

			@Override
			public void beanAdded(Container parent, Object child) {
				if (child instanceof AbstractConnector connector && !trackers.containsKey(connector)) {
					trackers.put(connector, customize(connector));
				}
			}

			@Override
			public void beanRemoved(Container parent, Object child) {
			}

		});
	}

	private JettyConnectionTracker customize(AbstractConnector connector) {
		connector.setIdleTimeout(this.serverConnections.policy().settings().idleTimeout().toMillis());
		// Spring Boot's graceful shutdown calls connector.shutdown(), which would
		// otherwise cut the idle timeout of requests still in flight to one second
		connector.setShutdownIdleTimeout(-1);
		ConnectorConnections connections = this.serverConnections.newConnectorConnections();
		JettyConnectionTracker tracker = new JettyConnectionTracker(connector, connections,
				this.serverConnections.policy());
		connector.addEventListener(tracker);
		JettyAcceptQueue acceptQueue = (connector instanceof ServerConnector serverConnector)
				? new JettyAcceptQueue(serverConnector) : null;
		if (acceptQueue != null) {
			// a bean, so the connector passes it to its selector manager when it starts
			connector.addEventListener(acceptQueue);
		}
		KeepAliveRequestCustomizer requestCustomizer = new KeepAliveRequestCustomizer(connector, tracker,
				this.serverConnections);
		for (ConnectionFactory connectionFactory : connector.getConnectionFactories()) {
			if (connectionFactory instanceof HttpConfiguration.ConnectionFactory httpConnectionFactory) {
				httpConnectionFactory.getHttpConfiguration().addCustomizer(requestCustomizer);
			}
		}
		connector.addEventListener(new Registration(connector, acceptQueue, connections));
		return tracker;
	}

	/**
	 * Registers the connector each time it starts (Spring Boot stops and starts them with
	 * the application context) and forgets it when it stops.
	 */
	private final class Registration implements LifeCycle.Listener {

		private final AbstractConnector connector;

		private final @Nullable JettyAcceptQueue acceptQueue;

		private final ConnectorConnections connections;

		private volatile @Nullable JettyManagedConnector registered;

		Registration(AbstractConnector connector, @Nullable JettyAcceptQueue acceptQueue,
				ConnectorConnections connections) {
			this.connector = connector;
			this.acceptQueue = acceptQueue;
			this.connections = connections;
		}

		@Override
		public void lifeCycleStarting(LifeCycle event) {
			if (this.acceptQueue != null) {
				this.acceptQueue.reset();
			}
		}

		@Override
		public void lifeCycleStarted(LifeCycle event) {
			ServerConnections server = JettyKeepAliveCustomizer.this.serverConnections;
			JettyManagedConnector connector = new JettyManagedConnector(this.connector, this.acceptQueue,
					this.connections, server.policy().settings());
			this.registered = connector;
			server.register(connector);
		}

		@Override
		public void lifeCycleStopping(LifeCycle event) {
			JettyManagedConnector connector = this.registered;
			if (connector != null) {
				JettyKeepAliveCustomizer.this.serverConnections.unregister(connector);
			}
		}

		@Override
		public void lifeCycleStopped(LifeCycle event) {
			release();
		}

		@Override
		public void lifeCycleFailure(LifeCycle event, Throwable cause) {
			release();
		}

		private void release() {
			if (this.acceptQueue != null) {
				this.acceptQueue.release();
			}
		}

	}

}
