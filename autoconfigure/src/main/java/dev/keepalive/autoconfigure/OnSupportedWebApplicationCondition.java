package dev.keepalive.autoconfigure;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;

/**
 * Matches a servlet application, and a reactive one whose web server is one Keepalive
 * supports: Tomcat, Jetty or Reactor Netty. A reactive application on another server (one
 * the user provides) has no connector Keepalive could apply to: it would get a drain with
 * nothing to drain.
 */
final class OnSupportedWebApplicationCondition extends AnyNestedCondition {

	OnSupportedWebApplicationCondition() {
		super(ConfigurationPhase.REGISTER_BEAN);
	}

	@ConditionalOnWebApplication(type = Type.SERVLET)
	static class Servlet {

	}

	@ConditionalOnWebApplication(type = Type.REACTIVE)
	@ConditionalOnBean(type = "org.springframework.boot.tomcat.reactive.TomcatReactiveWebServerFactory")
	static class ReactiveOnTomcat {

	}

	@ConditionalOnWebApplication(type = Type.REACTIVE)
	@ConditionalOnBean(type = "org.springframework.boot.jetty.reactive.JettyReactiveWebServerFactory")
	static class ReactiveOnJetty {

	}

	@ConditionalOnWebApplication(type = Type.REACTIVE)
	@ConditionalOnBean(type = "org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory")
	static class ReactiveOnNetty {

	}

}
