import Foundation
import Hummingbird
import HummingbirdTesting
import JSONCore
import LoanAPI
import Testing
import TestSupport

/// How the API serves the web front end, and the one set of loan rules the form and the API share.
@Suite("LoanAPI web front end files and rules")
struct WebFrontEndTests {
    static let webDirectory = TestEnvironment.repositoryRoot.appendingPathComponent("Sources/LoanAPI/Web")

    /// Every file of Sources/LoanAPI/Web is served, byte for byte, with its type and the
    /// security and caching headers; nothing else is.
    @Test func servesEveryFileWithItsTypeAndHeaders() async throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.webDirectory.path).sorted()
        #expect(files.contains("index.html") && files.contains("app.js"))
        try await APIHarness.withClient("web-files") { _, client in
            for name in files {
                let response = try await client.execute(uri: name == "index.html" ? "/" : "/web/\(name)", method: .get)
                let expected = try Data(contentsOf: Self.webDirectory.appendingPathComponent(name))
                #expect(response.status == .ok, "\(name): \(response.status)")
                #expect(Data(response.body.readableBytesView) == expected, "\(name) is served as it is on disk")
                let type = response.headers[.contentType] ?? ""
                switch (name as NSString).pathExtension {
                case "html": #expect(type == "text/html; charset=utf-8")
                case "js": #expect(type == "text/javascript; charset=utf-8", "\(name): \(type)")
                case "css": #expect(type == "text/css; charset=utf-8")
                case "svg": #expect(type == "image/svg+xml")
                default: Issue.record("\(name): no content type expected for this kind of file")
                }
                let policy = response.headers[.contentSecurityPolicy] ?? ""
                #expect(policy.hasPrefix("default-src 'self'") && policy.contains("connect-src 'self'") && !policy.contains("unsafe"))
                #expect(response.headers[.xContentTypeOptions] == "nosniff" && response.headers[.cacheControl] == "no-cache")

                // Revalidation: the same ETag answers 304 with no body.
                let etag = try #require(response.headers[.eTag])
                let again = try await client.execute(uri: name == "index.html" ? "/" : "/web/\(name)", method: .get,
                                                     headers: [.ifNoneMatch: etag])
                #expect(again.status == .notModified && again.body.readableBytes == 0, "\(name)")
            }
            for path in ["/web/missing.js", "/web/..%2FPackage.swift", "/web/", "/index.html"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .notFound, "\(path): \(response.status)")
            }
        }
    }

    /// The form's rules are the API's: the OpenAPI schema is generated from the validation rules,
    /// and each rule's `x-error-message` is exactly what validation answers for a bad value.
    @Test func schemaCarriesTheValidationRulesAndMessages() throws {
        let schema = try #require(OpenAPIDocument.document["components"]?["schemas"]?["LoanRequest"])
        let valid = try #require(JSONValue(parsing: Samples.approvable).objectValue)
        _ = try LoanRequestValidation.validate(valid)
        var seen = 0
        for rule in LoanFieldRule.all {
            let parts = rule.path.split(separator: ".").map(String.init)
            let fieldSchema = try #require(schema["properties"]?[parts[0]]?["properties"]?[parts[1]], "\(rule.path) in the schema")
            #expect(fieldSchema["x-error-message"] == .string(rule.message))
            #expect(schema["properties"]?[parts[0]]?["required"]?.arrayValue?.contains(.string(parts[1])) == true)

            // A value each rule refuses, and the API's message for it.
            let bad: JSONValue = switch rule.kind {
            case .number(let range): .double(range.upperBound * 2 + 1)
            case .integer(let range): .int(Int64(range.lowerBound) - 1)
            case .choice: "not-a-choice"
            case .postcode: "1234"
            }
            var body = valid
            var section = try #require(body[parts[0]]?.objectValue)
            section[parts[1]] = bad
            body[parts[0]] = .object(section)
            do {
                _ = try LoanRequestValidation.validate(body)
                Issue.record("\(rule.path): \(bad) was accepted")
            } catch {
                #expect(error.fields == [rule.path: rule.message])
            }
            seen += 1
        }
        #expect(seen == 14)
        let documented = (schema["properties"]?.objectValue ?? [:]).values.reduce(0) { $0 + ($1["properties"]?.objectValue?.count ?? 0) }
        #expect(documented == LoanFieldRule.all.count, "every schema field has a rule")
    }
}
