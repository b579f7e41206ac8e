public import Hummingbird
import Foundation
public import JSONCore

extension JSONValue {
    /// This value as a JSON answer.
    public func response(status: HTTPResponse.Status = .ok) -> Response {
        Response.json(serialized(), status: status)
    }
}

extension Response {
    /// A JSON answer from serialized bytes.
    static func json(_ bytes: some Sequence<UInt8>, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A JSON answer from an `Encodable` value (ISO 8601 dates, sorted keys).
    static func json(encoding value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        json(try APIJSON.encoder.encode(value), status: status)
    }
}

/// The API's JSON coding: snake_case keys come from the types' coding keys, dates are ISO 8601.
enum APIJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}
