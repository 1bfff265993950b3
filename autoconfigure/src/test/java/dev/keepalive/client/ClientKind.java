package dev.keepalive.client;

/**
 * A client library behind one of Spring's HTTP client APIs, as Spring Boot builds it.
 */
enum ClientKind {

	HTTP_COMPONENTS_REST_CLIENT("Apache HttpClient", "http-components", Api.REST_CLIENT),

	HTTP_COMPONENTS_WEB_CLIENT("Apache HttpClient", "http-components", Api.WEB_CLIENT),

	JETTY_REST_CLIENT("Jetty client", "jetty", Api.REST_CLIENT),

	JETTY_REST_TEMPLATE("Jetty client", "jetty", Api.REST_TEMPLATE),

	JETTY_WEB_CLIENT("Jetty client", "jetty", Api.WEB_CLIENT),

	REACTOR_REST_CLIENT("Reactor Netty", "reactor", Api.REST_CLIENT),

	REACTOR_REST_TEMPLATE("Reactor Netty", "reactor", Api.REST_TEMPLATE),

	REACTOR_WEB_CLIENT("Reactor Netty", "reactor", Api.WEB_CLIENT),

	JDK_REST_CLIENT("JDK HttpClient", "jdk", Api.REST_CLIENT),

	JDK_WEB_CLIENT("JDK HttpClient", "jdk", Api.WEB_CLIENT);

	private final String library;

	private final String factory;

	private final Api api;

	ClientKind(String library, String factory, Api api) {
		this.library = library;
		this.factory = factory;
		this.api = api;
	}

	String library() {
		return this.library;
	}

	Api api() {
		return this.api;
	}

	/**
	 * The Spring Boot property that selects the library for this API.
	 * @return the property, as {@code name=value}
	 */
	String factoryProperty() {
		return (this.api == Api.WEB_CLIENT) ? "spring.http.clients.reactive.connector=" + this.factory
				: "spring.http.clients.imperative.factory=" + this.factory;
	}

	@Override
	public String toString() {
		return this.library + " / " + this.api.displayName;
	}

	enum Api {

		REST_CLIENT("RestClient"), REST_TEMPLATE("RestTemplate"), WEB_CLIENT("WebClient");

		private final String displayName;

		Api(String displayName) {
			this.displayName = displayName;
		}

	}

}
