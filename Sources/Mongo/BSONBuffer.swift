import CMongoc

import Foundation

/// A `bson_t` built from a ``BSONDocument``, destroyed with this object. (`bson_t` is
/// 128-byte aligned, so Swift sees it only as an `OpaquePointer`.) It is never modified after
/// creation and is handed to one driver thread at a time, hence `@unchecked Sendable`.
final class BSONBuffer: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ document: BSONDocument) throws(MongoError) {
        let text = ExtendedJSON.text(document)
        var error = bson_error_t()
        let created = text.withUnsafeBufferPointer { bson_new_from_json($0.baseAddress, $0.count, &error) }
        guard let created else { throw MongoError.encoding("libbson rejected the document: \(error.text)") }
        pointer = created
    }

    /// An empty document, owned.
    init() { pointer = bson_new() }

    deinit { bson_destroy(pointer) }

    /// Reads a `bson_t` the driver filled in.
    static func document(_ bson: OpaquePointer) throws(MongoError) -> BSONDocument {
        var length = 0
        guard let chars = bson_as_canonical_extended_json(bson, &length) else {
            throw MongoError.decoding("libbson could not convert a document to JSON")
        }
        defer { bson_free(chars) }
        let bytes = UnsafeRawBufferPointer(start: chars, count: length)
        return try ExtendedJSON.document(Array(bytes))
    }
}

/// Memory for a reply `bson_t` the driver initializes; destroyed and freed with this object.
final class BSONReply {
    let pointer: OpaquePointer
    private let raw: UnsafeMutableRawPointer

    init() {
        var memory: UnsafeMutableRawPointer?
        posix_memalign(&memory, 128, 128)
        raw = memory!
        pointer = OpaquePointer(raw)
        bson_init(pointer)
    }

    deinit {
        bson_destroy(pointer)
        free(raw)
    }

    func document() throws(MongoError) -> BSONDocument { try BSONBuffer.document(pointer) }
}

extension bson_error_t {
    /// The fixed-size C message as a Swift string.
    var text: String {
        withUnsafeBytes(of: message) { raw in String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }

    /// The error as a ``MongoError``, by domain and code.
    var mongoError: MongoError {
        let code = Int(self.code)
        if code == 11000 || code == 11001 || code == 12582 { return .duplicateKey(message: text) }
        switch Int32(domain) {
        case Int32(MONGOC_ERROR_SERVER_SELECTION.rawValue), Int32(MONGOC_ERROR_STREAM.rawValue),
             Int32(MONGOC_ERROR_CLIENT.rawValue) where code != Int(MONGOC_ERROR_CLIENT_AUTHENTICATE.rawValue):
            return .connection(text)
        case Int32(MONGOC_ERROR_COMMAND.rawValue) where code == Int(MONGOC_ERROR_COMMAND_INVALID_ARG.rawValue):
            return .invalidArgument(text)
        default:
            return .server(code: code, message: text)
        }
    }
}
