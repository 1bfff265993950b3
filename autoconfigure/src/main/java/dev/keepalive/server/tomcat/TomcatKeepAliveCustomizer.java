package dev.keepalive.server.tomcat;

import dev.keepalive.server.ServerConnections;
import dev.keepalive.server.ServerKeepAliveSettings;
import dev.keepalive.server.ServerPropertyOverrides;
import org.apache.catalina.connector.Connector;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.coyote.UpgradeProtocol;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.coyote.http2.Http2Protocol;

import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Plugs {@link KeepAliveHttp11NioProtocol} into Tomcat by class name, so that Spring
 * Boot's {@code server.tomcat.*} settings still apply to it, and sets the keep-alive
 * timeouts and limits on the connector.
 */
final class TomcatKeepAliveCustomizer
		implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>, Ordered {

	/**
	 * After Spring Boot's own {@code TomcatWebServerFactoryCustomizer} (order 0), so that
	 * the connector customizer added here runs after Boot's and its values win.
	 */
	static final int ORDER = 100;

	private static final Log logger = LogFactory.getLog(TomcatKeepAliveCustomizer.class);

	private final ServerConnections serverConnections;

	private final ServerKeepAliveSettings settings;

	private final Environment environment;

	TomcatKeepAliveCustomizer(ServerConnections serverConnections, Environment environment) {
		this.serverConnections = serverConnections;
		this.settings = serverConnections.policy().settings();
		this.environment = environment;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void customize(ConfigurableTomcatWebServerFactory factory) {
		warnAboutOverriddenProperties();
		if (factory instanceof TomcatWebServerFactory tomcatFactory) {
			if (TomcatWebServerFactory.DEFAULT_PROTOCOL.equals(tomcatFactory.getProtocol())) {
				tomcatFactory.setProtocol(KeepAliveHttp11NioProtocol.class.getName());
			}
			else {
				logger.warn("Tomcat protocol " + tomcatFactory.getProtocol() + " is not "
						+ TomcatWebServerFactory.DEFAULT_PROTOCOL + ": Keepalive sets its timeouts but cannot track"
						+ " its connections, decide its connection headers or drain it");
			}
		}
		factory.addConnectorCustomizers(this::customize);
	}

	private void customize(Connector connector) {
		if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> protocol) {
			int idleTimeout = (int) this.settings.idleTimeout().toMillis();
			protocol.setKeepAliveTimeout(idleTimeout);
			// Tomcat times out a new connection that sends nothing with connectionTimeout
			protocol.setConnectionTimeout(idleTimeout);
			if (this.settings.maxRequestsPerConnection() != null) {
				protocol.setMaxKeepAliveRequests(this.settings.maxRequestsPerConnection());
			}
			protocol.setUseKeepAliveResponseHeader(this.settings.advertiseIdleTimeout());
			for (UpgradeProtocol upgradeProtocol : protocol.findUpgradeProtocols()) {
				if (upgradeProtocol instanceof Http2Protocol http2) {
					// an HTTP/2 connection with no stream open is idle (Tomcat's default:
					// 20 s)
					http2.setKeepAliveTimeout(idleTimeout);
				}
			}
		}
		if (connector.getProtocolHandler() instanceof KeepAliveHttp11NioProtocol protocol) {
			protocol.manage(this.serverConnections, connector);
		}
	}

	private void warnAboutOverriddenProperties() {
		ServerPropertyOverrides overrides = new ServerPropertyOverrides(this.environment);
		overrides.warnIfDifferent("server.tomcat.keep-alive-timeout", this.settings.idleTimeout(),
				"keepalive.server.idle-timeout");
		overrides.warnIfDifferent("server.tomcat.connection-timeout", this.settings.idleTimeout(),
				"keepalive.server.idle-timeout");
		if (this.settings.maxRequestsPerConnection() != null) {
			overrides.warnIfDifferent("server.tomcat.max-keep-alive-requests", this.settings.maxRequestsPerConnection(),
					"keepalive.server.max-requests-per-connection");
		}
	}

}
