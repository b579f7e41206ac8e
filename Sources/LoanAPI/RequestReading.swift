import Foundation
import Hummingbird
import HummingbirdAuth
import JSONCore

extension Request {
    /// The body parsed as JSON: 413 above `limit`, 400 for an empty body or bad JSON.
    func jsonBody(limit: Int) async throws -> JSONValue {
        var request = self
        let buffer = try await request.collectBody(upTo: limit)
        guard buffer.readableBytes > 0 else { throw APIError.badRequest("request body must be a JSON object") }
        do {
            return try JSONValue(parsing: buffer.readableBytesView)
        } catch {
            throw APIError.badRequest("malformed JSON: \(error)")
        }
    }

    /// `jsonBody` that must be an object.
    func jsonObject(limit: Int) async throws -> [String: JSONValue] {
        guard let object = try await jsonBody(limit: limit).objectValue else {
            throw APIError.badRequest("request body must be a JSON object")
        }
        return object
    }

    /// The bearer token of the `Authorization` header, or of the `token` query parameter (for
    /// browsers' WebSockets, which cannot set headers).
    var bearerToken: String? {
        headers.bearer?.token ?? uri.queryParameters["token"].map(String.init)
    }
}
