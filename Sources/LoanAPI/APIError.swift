public import Hummingbird
import Foundation
import JSONCore

/// A client-visible failure: always answered as JSON `{"error": message}`, plus `fields` (one
/// message per invalid field path) for validation failures.
public struct APIError: HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    public var fields: [String: String]?
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, fields: [String: String]? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.fields = fields
        self.headers = headers
    }

    public var description: String { "\(status.code) \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [String: JSONValue] = ["error": .string(message)]
        if let fields { body["fields"] = .object(fields.mapValues { .string($0) }) }
        var response = JSONValue.object(body).response(status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    public static func notFound(_ message: String = "not found") -> APIError { APIError(.notFound, message) }
    public static let unauthorized = APIError(.unauthorized, "missing or invalid bearer token",
                                              headers: [.wwwAuthenticate: "Bearer"])
    public static func validation(_ fields: [String: String]) -> APIError {
        APIError(.unprocessableContent, "validation failed", fields: fields)
    }
}

/// Turns every error into a JSON answer: ``APIError`` and Hummingbird's errors keep their status
/// (unknown routes 404, oversized bodies 413), anything else is logged and answered 500 without
/// internal details.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            let message = switch error.status {
            case .notFound: "no route for \(request.method.rawValue) \(request.uri.path)"
            case .contentTooLarge: "request body too large"
            case .methodNotAllowed: "method not allowed"
            default: (error as? HTTPError)?.body ?? error.status.reasonPhrase
            }
            var response = try APIError(error.status, message).response(from: request, context: context)
            if let httpError = error as? HTTPError { response.headers.append(contentsOf: httpError.headers) }
            return response
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return JSONValue.object(["error": "internal error"]).response(status: .internalServerError)
        }
    }
}
