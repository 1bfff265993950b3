package dev.keepalive.server.tomcat;

import java.nio.channels.SocketChannel;

import dev.keepalive.server.CloseReason;
import dev.keepalive.server.ConnectionPolicy;
import dev.keepalive.server.ConnectorConnections;
import dev.keepalive.server.ConnectorId;
import dev.keepalive.server.ServerConnections;
import org.apache.coyote.Processor;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.jspecify.annotations.Nullable;

/**
 * Tomcat's NIO HTTP/1.1 protocol with Keepalive's connection tracking and commit-time
 * connection headers. Spring Boot instantiates it by class name, so its
 * {@code server.tomcat.*} settings apply as they do to {@link Http11NioProtocol}.
 * <p>
 * Three hooks, all public or protected Tomcat API except one: the endpoint's connections
 * map reports open and close; a wrapped connection handler sees the state each connection
 * is left in; each processor's response commit is intercepted (the one reflective step)
 * so that {@code Connection} and {@code Keep-Alive} are decided at commit time.
 */
public class KeepAliveHttp11NioProtocol extends Http11NioProtocol {

	private volatile @Nullable ServerConnections serverConnections;

	private volatile @Nullable ConnectorConnections connections;

	public KeepAliveHttp11NioProtocol() {
		super(new TrackingNioEndpoint());
		((TrackingNioEndpoint) getEndpoint()).setProtocol(this);
		TrackingHandler handler = new TrackingHandler(getHandler(), this);
		getEndpoint().setHandler(handler);
		setHandler(handler);
	}

	void manage(ServerConnections serverConnections) {
		this.serverConnections = serverConnections;
		this.connections = serverConnections.newConnectorConnections();
	}

	@Override
	public void start() throws Exception {
		super.start();
		ServerConnections serverConnections = this.serverConnections;
		ConnectorConnections connections = this.connections;
		if (serverConnections != null && connections != null) {
			ConnectorId id = new ConnectorId(getLocalPort(), isSSLEnabled() ? "https" : "http");
			serverConnections
				.register(new TomcatManagedConnector(this, id, connections, serverConnections.policy().settings()));
		}
	}

	@Override
	protected Processor createProcessor() {
		KeepAliveHttp11Processor processor = new KeepAliveHttp11Processor(this, getAdapter());
		ResponseCommitHook.install(processor, this);
		return processor;
	}

	void stopAccepting() {
		((TrackingNioEndpoint) getEndpoint()).stopAccepting();
	}

	@Nullable ConnectionPolicy policy() {
		ServerConnections serverConnections = this.serverConnections;
		return (serverConnections != null) ? serverConnections.policy() : null;
	}

	@Nullable TomcatTrackedConnection tracked(@Nullable SocketWrapperBase<?> wrapper) {
		ConnectorConnections connections = this.connections;
		return (connections != null && wrapper != null) ? (TomcatTrackedConnection) connections.get(wrapper) : null;
	}

	void opened(SocketChannel channel, SocketWrapperBase<NioChannel> wrapper) {
		ConnectorConnections connections = this.connections;
		ConnectionPolicy policy = policy();
		if (connections != null && policy != null) {
			connections.opened(wrapper, new TomcatTrackedConnection(policy, wrapper, channel));
		}
	}

	void closed(SocketWrapperBase<NioChannel> wrapper) {
		ConnectorConnections connections = this.connections;
		if (connections != null) {
			connections.closed(wrapper, CloseReason.CLIENT);
		}
	}

}
