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
        let harness = try await APIHarness.connect("api-openapi")
        defer { Task { await harness.close() } }
        let served = Set(LoanAPIApplication.router(harness.services).routes.map { "\($0.method) \($0.path)" })
        let paths = try #require(OpenAPIDocument.document["paths"]?.objectValue)
        var documented: Set<String> = []
        for (path, item) in paths {
            for method in item.objectValue?.keys ?? [:].keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        #expect(served == documented, "served only: \(served.subtracting(documented).sorted()); documented only: \(documented.subtracting(served).sorted())")

        // Every $ref points at a defined schema.
        let schemas = Set(OpenAPIDocument.document["components"]?["schemas"]?.objectValue?.keys.map { $0 } ?? [])
        var refs: Set<String> = []
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let object):
                if let ref = object["$ref"]?.stringValue { refs.insert(String(ref.split(separator: "/").last!)) }
                object.values.forEach(collect)
            case .array(let array): array.forEach(collect)
            default: break
            }
        }
        collect(OpenAPIDocument.document)
        #expect(refs.isSubset(of: schemas), "undefined: \(refs.subtracting(schemas))")

        try await harness.application.test(.router) { client in
            let response = try await client.call(.get, "/openapi.json")
            #expect(response.status == .ok && response.json == OpenAPIDocument.document)
            #expect(response.json["openapi"] == "3.1.0")
        }
    }
}
