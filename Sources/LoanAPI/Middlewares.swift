import Hummingbird
import Foundation
import Logging

/// One structured access-log line per request (method, path, route, status, duration, request
/// id) and the request metrics. Runs outermost, so error answers are counted with their status.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: APIMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let duration = ContinuousClock.now - start
        let route = context.endpointPath ?? "NotFound"
        metrics.request(method: request.method.rawValue, route: route, status: response.status.code, duration: duration)
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        logger.info("request", metadata: [
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "route": "\(route)",
            "status": "\(response.status.code)", "duration_ms": "\((ms * 100).rounded() / 100)", "request_id": "\(context.id)",
        ])
        return response
    }
}

/// Refuses bodies above the limit before reading them (413 by `Content-Length`); handlers read
/// bodies with the same limit, which catches chunked uploads.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw APIError(.contentTooLarge, "request body too large: \(length) bytes, at most \(limit) allowed")
        }
        return try await next(request, context)
    }
}

/// CORS for the configured origins (`*` allows any): answers pre-flight `OPTIONS` requests and
/// adds `Access-Control-Allow-Origin` to the others. With no origins configured it does nothing.
struct CORSOriginsMiddleware<Context: RequestContext>: RouterMiddleware {
    let origins: [String]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], let allowed = allowedOrigin(origin) else {
            return try await next(request, context)
        }
        var response: Response
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            response = Response(status: .noContent)
            response.headers[.accessControlAllowMethods] = "GET, POST, PATCH, DELETE, OPTIONS"
            response.headers[.accessControlAllowHeaders] = "Authorization, Content-Type"
            response.headers[.accessControlMaxAge] = "600"
        } else {
            // Errors are already answers here: the JSON error middleware runs inside this one.
            response = try await next(request, context)
        }
        response.headers[.accessControlAllowOrigin] = allowed
        if allowed != "*" { response.headers[.vary] = "Origin" }
        return response
    }

    private func allowedOrigin(_ origin: String) -> String? {
        if origins.contains("*") { return "*" }
        return origins.contains(origin) ? origin : nil
    }
}
