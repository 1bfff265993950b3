package dev.keepalive.server.jetty;

import dev.keepalive.server.ConnectionPolicy;
import dev.keepalive.server.ServerPropertyOverrides;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.util.component.Container;

import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Applies the keep-alive settings to every connector of the Jetty server: the idle
 * timeout, and a request customizer that decides {@code Connection} and
 * {@code Keep-Alive} headers when each response is committed.
 */
final class JettyKeepAliveCustomizer implements WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory>, Ordered {

	/**
	 * After Spring Boot's own {@code JettyWebServerFactoryCustomizer} (order 0), so that
	 * the server customizer added here runs after Boot's and its values win.
	 */
	static final int ORDER = 100;

	private final ConnectionPolicy policy;

	private final Environment environment;

	JettyKeepAliveCustomizer(ConnectionPolicy policy, Environment environment) {
		this.policy = policy;
		this.environment = environment;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void customize(ConfigurableJettyWebServerFactory factory) {
		new ServerPropertyOverrides(this.environment).warnIfDifferent("server.jetty.connection-idle-timeout",
				this.policy.settings().idleTimeout(), "keepalive.server.idle-timeout");
		KeepAliveRequestCustomizer requestCustomizer = new KeepAliveRequestCustomizer(this.policy);
		// A container listener also sees connectors added later (SSL replaces Boot's one,
		// applications add their own) and is replayed the ones already there.
		factory.addServerCustomizers((server) -> server.addEventListener(new Container.Listener() {

			@Override
			public void beanAdded(Container parent, Object child) {
				if (child instanceof Connector connector) {
					customize(connector, requestCustomizer);
				}
			}

			@Override
			public void beanRemoved(Container parent, Object child) {
			}

		}));
	}

	private void customize(Connector connector, KeepAliveRequestCustomizer requestCustomizer) {
		if (connector instanceof AbstractConnector abstractConnector) {
			abstractConnector.setIdleTimeout(this.policy.settings().idleTimeout().toMillis());
		}
		for (ConnectionFactory connectionFactory : connector.getConnectionFactories()) {
			if (connectionFactory instanceof HttpConfiguration.ConnectionFactory httpConnectionFactory) {
				HttpConfiguration configuration = httpConnectionFactory.getHttpConfiguration();
				if (!configuration.getCustomizers().contains(requestCustomizer)) {
					configuration.addCustomizer(requestCustomizer);
				}
			}
		}
	}

}
