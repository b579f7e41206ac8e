import Hummingbird

/// A route the API serves, as the OpenAPI document names it (`/loans/{id}`).
public struct APIRoute: Sendable, Hashable, CustomStringConvertible {
    public var method: String
    public var path: String
    public var description: String { "\(method) \(path)" }
}

/// Registers routes on a router and remembers them, so a test can compare the served routes
/// with the OpenAPI document.
final class RouteTable<Context: RequestContext> {
    let router: Router<Context>
    private(set) var routes: [APIRoute] = []

    init(router: Router<Context>) { self.router = router }

    func add(_ method: HTTPRequest.Method, _ path: String,
             _ handler: @escaping @Sendable (Request, Context) async throws -> Response) {
        routes.append(APIRoute(method: method.rawValue, path: path))
        router.on(RouterPath(path), method: method, use: handler)
    }
}
