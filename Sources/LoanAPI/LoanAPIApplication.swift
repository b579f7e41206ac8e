public import Hummingbird
import HummingbirdWebSocket
public import Logging

/// Builds the `loan-api` HTTP application: routes, middleware (access log and metrics, CORS,
/// JSON errors, body limit), the WebSocket upgrade for live loan status, and the web front end.
public enum LoanAPIApplication {
    /// The router and the routes it serves (for the OpenAPI sync test).
    public static func router(_ services: LoanAPIServices) -> (router: Router<BasicRequestContext>, routes: [APIRoute]) {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: AccessLogMiddleware(metrics: services.metrics, logger: Logger(label: "loan-api.access")))
        if !services.configuration.corsOrigins.isEmpty {
            router.add(middleware: CORSOriginsMiddleware(origins: services.configuration.corsOrigins))
        }
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: BodyLimitMiddleware(limit: services.configuration.maxBodyBytes))
        let table = RouteTable(router: router)
        OperationsRoutes(services: services).register(in: table)
        AccountRoutes(services: services).register(in: table)
        LoanRoutes(services: services).register(in: table)
        TaskRoutes(services: services).register(in: table)
        WebFrontEnd.register(on: router)  // not API operations: outside the route table
        return (router, table.routes)
    }

    /// The application, listening on the configured host and port (`port` overrides it; 0 picks a free one).
    public static func application(_ services: LoanAPIServices, port: Int? = nil, logger: Logger) -> some ApplicationProtocol {
        let webSocketRouter = Router(context: BasicWebSocketRequestContext.self)
        LoanEventsSocket(services: services).register(in: webSocketRouter)
        return Application(
            router: router(services).router,
            server: .http1WebSocketUpgrade(webSocketRouter: webSocketRouter),
            configuration: ApplicationConfiguration(address: .hostname(services.configuration.host,
                                                                       port: port ?? services.configuration.port),
                                                    serverName: "loan-api"),
            logger: logger)
    }
}
