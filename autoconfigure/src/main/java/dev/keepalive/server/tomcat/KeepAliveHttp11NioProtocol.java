package dev.keepalive.server.tomcat;

import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectorConnections;
import dev.keepalive.server.ConnectorId;
import dev.keepalive.server.ServerConnections;
import org.apache.catalina.Container;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.coyote.Adapter;
import org.apache.coyote.Processor;
import org.apache.coyote.UpgradeProtocol;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.jspecify.annotations.Nullable;

/**
 * Tomcat's NIO HTTP/1.1 protocol with Keepalive's connection tracking and commit-time
 * connection headers. Spring Boot instantiates it by class name, so its
 * {@code server.tomcat.*} settings apply as they do to {@link Http11NioProtocol}.
 * <p>
 * Three hooks, all public or protected Tomcat API except two fields read by reflection:
 * the endpoint's connections map reports open and close; a wrapped connection handler
 * sees the state each connection is left in; each processor's response commit is
 * intercepted so that {@code Connection} and {@code Keep-Alive} follow Tomcat's own
 * keep-alive decision, overruled where Keepalive closes the connection.
 */
public class KeepAliveHttp11NioProtocol extends Http11NioProtocol {

	/**
	 * The shortest unload delay that still waits a little: Tomcat waits in 20 steps of a
	 * twentieth each, and a wait of 0 is forever.
	 */
	private static final long MINIMUM_UNLOAD_DELAY_MILLIS = 20;

	private volatile @Nullable ServerConnections serverConnections;

	private volatile @Nullable ConnectorConnections connections;

	private volatile @Nullable TomcatManagedConnector managedConnector;

	private volatile KeepAliveHeader keepAliveHeader = new KeepAliveHeader(-1, null);

	private volatile @Nullable Connector connector;

	public KeepAliveHttp11NioProtocol() {
		super(new TrackingNioEndpoint());
		((TrackingNioEndpoint) getEndpoint()).setProtocol(this);
		TrackingHandler handler = new TrackingHandler(getHandler(), this);
		getEndpoint().setHandler(handler);
		setHandler(handler);
	}

	void manage(ServerConnections serverConnections, Connector connector) {
		this.serverConnections = serverConnections;
		this.connector = connector;
		this.connections = serverConnections.newConnectorConnections();
	}

	@Override
	public void start() throws Exception {
		super.start();
		ServerConnections serverConnections = this.serverConnections;
		ConnectorConnections connections = this.connections;
		if (serverConnections != null && connections != null) {
			ConnectorId id = new ConnectorId(getLocalPort(), isSSLEnabled() ? "https" : "http");
			TomcatManagedConnector connector = new TomcatManagedConnector(this, id, connections,
					serverConnections.policy().settings());
			this.managedConnector = connector;
			serverConnections.register(connector);
		}
	}

	@Override
	public void stop() throws Exception {
		ServerConnections serverConnections = this.serverConnections;
		TomcatManagedConnector connector = this.managedConnector;
		if (serverConnections != null && connector != null) {
			serverConnections.unregister(connector);
		}
		super.stop();
	}

	/**
	 * Keepalive adds {@code Keep-Alive} itself when it intercepts commits, whether or not
	 * the request asked for keep-alive.
	 */
	@Override
	public boolean getUseKeepAliveResponseHeader() {
		return !ResponseCommitHook.isAvailable() && super.getUseKeepAliveResponseHeader();
	}

	/**
	 * Spring Boot adds Tomcat's {@link Http2Protocol} for
	 * {@code server.http2.enabled=true}: Keepalive's own takes its place.
	 */
	@Override
	public void addUpgradeProtocol(UpgradeProtocol upgradeProtocol) {
		super.addUpgradeProtocol(
				(upgradeProtocol.getClass() == Http2Protocol.class) ? new KeepAliveHttp2Protocol() : upgradeProtocol);
	}

	/**
	 * Every request passes this adapter, those of HTTP/2 streams included (Tomcat hands
	 * the protocol's adapter to its HTTP/2 handlers).
	 */
	@Override
	public void setAdapter(Adapter adapter) {
		super.setAdapter(new RequestStartAdapter(adapter, this));
	}

	@Override
	protected Processor createProcessor() {
		KeepAliveHttp11Processor processor = new KeepAliveHttp11Processor(this, getAdapter());
		ResponseCommitHook.install(processor, this);
		return processor;
	}

	int stopAccepting() {
		return ((TrackingNioEndpoint) getEndpoint()).stopAccepting();
	}

	/**
	 * Stop Tomcat from waiting for request threads when it stops: for its executor to
	 * terminate, and for each servlet still in use to be released (a context's unload
	 * delay, which each servlet's wrapper copies when it joins the context).
	 */
	void stopWaitingForRequests() {
		getEndpoint().setExecutorTerminationTimeoutMillis(0);
		Connector connector = this.connector;
		Service service = (connector != null) ? connector.getService() : null;
		if (service == null) {
			return;
		}
		for (Container host : service.getContainer().findChildren()) {
			for (Container child : host.findChildren()) {
				if (child instanceof StandardContext context) {
					context.setUnloadDelay(MINIMUM_UNLOAD_DELAY_MILLIS);
					for (Container wrapper : context.findChildren()) {
						wrapper.setParent(context);
					}
				}
			}
		}
	}

	@Nullable ServerConnections serverConnections() {
		return this.serverConnections;
	}

	/**
	 * The {@code Keep-Alive} value for a response that keeps its connection: the idle
	 * timeout in force, shorter under connection pressure. As bytes, encoded again only
	 * when the timeout changes: Tomcat would encode a String value for every response.
	 */
	byte @Nullable [] keepAliveHeaderValue() {
		ServerConnections serverConnections = this.serverConnections;
		ConnectorConnections connections = this.connections;
		if (serverConnections == null || connections == null) {
			return null;
		}
		long idleTimeout = connections.pressure().idleTimeoutMillis(getKeepAliveTimeout());
		KeepAliveHeader header = this.keepAliveHeader;
		if (header.idleTimeoutMillis() != idleTimeout) {
			String value = serverConnections.policy().keepAliveHeaderValue(idleTimeout);
			header = new KeepAliveHeader(idleTimeout,
					(value != null) ? value.getBytes(StandardCharsets.ISO_8859_1) : null);
			this.keepAliveHeader = header;
		}
		return header.value();
	}

	private record KeepAliveHeader(long idleTimeoutMillis, byte @Nullable [] value) {

	}

	@Nullable TomcatTrackedConnection tracked(@Nullable SocketWrapperBase<?> wrapper) {
		ConnectorConnections connections = this.connections;
		return (connections != null && wrapper != null) ? (TomcatTrackedConnection) connections.get(wrapper) : null;
	}

	void opened(SocketChannel channel, SocketWrapperBase<NioChannel> wrapper) {
		ConnectorConnections connections = this.connections;
		ServerConnections serverConnections = this.serverConnections;
		if (connections != null && serverConnections != null) {
			connections.opened(wrapper, new TomcatTrackedConnection(serverConnections.policy(), wrapper, channel));
		}
	}

	void closed(SocketWrapperBase<NioChannel> wrapper) {
		ConnectorConnections connections = this.connections;
		if (connections != null) {
			connections.closed(wrapper, CloseReason.CLIENT);
		}
	}

}
