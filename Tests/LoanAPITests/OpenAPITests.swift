import Foundation
import Hummingbird
import HummingbirdTesting
import JSONCore
import LoanAPI
import Testing
import TestSupport

@Suite("LoanAPI OpenAPI document")
struct OpenAPITests {
    /// Every served route is documented, and every documented operation is served.
    @Test func documentMatchesTheRoutes() async throws {
        try await APIHarness.withClient("api-openapi") { harness, client in
            let served = Set(LoanAPIApplication.router(harness.services).routes.map { "\($0.method) \($0.path)" })
            let paths = try #require(OpenAPIDocument.document["paths"]?.objectValue)
            let documented = Set(paths.flatMap { path, item in (item.objectValue ?? [:]).keys.map { "\($0.uppercased()) \(path)" } })
            #expect(served == documented,
                    "served only: \(served.subtracting(documented).sorted()); documented only: \(documented.subtracting(served).sorted())")

            let schemas = Set(OpenAPIDocument.document["components"]?["schemas"]?.objectValue?.keys.map { $0 } ?? [])
            let refs = Self.references(in: OpenAPIDocument.document)
            #expect(!refs.isEmpty && refs.isSubset(of: schemas), "undefined: \(refs.subtracting(schemas))")

            let response = try await client.call(.get, "/openapi.json")
            #expect(response.status == .ok && response.json == OpenAPIDocument.document)
            #expect(response.json["openapi"] == "3.1.0")
        }
    }

    /// The schema names every `$ref` points at.
    static func references(in value: JSONValue) -> Set<String> {
        switch value {
        case .object(let object):
            let own = object["$ref"]?.stringValue.map { Set([String($0.split(separator: "/").last ?? "")]) } ?? []
            return object.values.reduce(own) { $0.union(references(in: $1)) }
        case .array(let array):
            return array.reduce([]) { $0.union(references(in: $1)) }
        default:
            return []
        }
    }
}
