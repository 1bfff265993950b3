package dev.keepalive.autoconfigure;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;

/**
 * Matches when an embedded server that Keepalive supports is on the classpath. A new
 * server implementation adds its classes here.
 */
final class OnSupportedServerCondition extends AnyNestedCondition {

	OnSupportedServerCondition() {
		super(ConfigurationPhase.PARSE_CONFIGURATION);
	}

	@ConditionalOnClass(name = { "org.apache.coyote.http11.Http11NioProtocol",
			"org.springframework.boot.tomcat.TomcatWebServerFactory" })
	static class Tomcat {

	}

	@ConditionalOnClass(
			name = { "org.eclipse.jetty.server.Server", "org.springframework.boot.jetty.JettyWebServerFactory" })
	static class Jetty {

	}

	@ConditionalOnClass(name = { "reactor.netty.http.server.HttpServer",
			"org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory" })
	static class ReactorNetty {

	}

}
