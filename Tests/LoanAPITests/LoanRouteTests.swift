import Foundation
import Hummingbird
import HummingbirdTesting
import JSONCore
import LoanAPI
import Testing
import TestSupport

@Suite("LoanAPI loans")
struct LoanRouteTests {
    @Test func validationNamesEveryBadField() async throws {
        try await APIHarness.withClient("api-validation") { harness, client in
            let (token, _) = try await client.newAccount()
            let bad = """
            {"applicant": {"monthly_net_income": "6200", "monthly_debt_payments": -1, "employment_type": "astronaut",
                           "employment_years": 8, "defaults_last_24_months": 1.5, "age": 12, "shoe_size": 44},
             "property": {"estimated_value": 0, "type": "castle", "postcode": 69003, "purpose": "primary_home"},
             "loan": []}
            """
            let response = try await client.call(.post, "/loans", token: token, json: bad)
            #expect(response.status == .unprocessableContent)
            let fields = try #require(response.json["fields"]?.objectValue)
            #expect(fields["applicant.monthly_net_income"]?.stringValue?.hasPrefix("must be a number") == true)
            #expect(fields["applicant.monthly_debt_payments"]?.stringValue?.hasPrefix("must be a number from 0") == true)
            #expect(fields["applicant.employment_type"] == "must be one of: permanent, fixed_term, self_employed, retired, unemployed")
            #expect(fields["applicant.defaults_last_24_months"]?.stringValue?.hasPrefix("must be an integer") == true)
            #expect(fields["applicant.late_payments_last_24_months"] == "required")
            #expect(fields["applicant.age"] == "must be an integer from 18 to 120")
            #expect(fields["applicant.shoe_size"] == "unknown field")
            #expect(fields["property.estimated_value"] != nil && fields["property.type"] != nil && fields["property.postcode"] != nil)
            #expect(fields["property.purpose"] == nil)
            #expect(fields["loan"] == "must be an object")
            #expect(fields.count == 11, "\(fields.keys.sorted())")

            let missing = try await client.call(.post, "/loans", token: token, json: "{}")
            #expect(missing.json["fields"] == ["applicant": "required", "property": "required", "loan": "required"])
            let unauthenticated = try await client.call(.post, "/loans", json: Samples.approvable)
            #expect(unauthenticated.status == .unauthorized)
        }
    }

    @Test func listIsMineNewestFirstAndPaginated() async throws {
        try await APIHarness.withClient("api-list") { harness, client in
            let (token, owner) = try await client.newAccount()
            let (otherToken, _) = try await client.newAccount()
            var ids: [String] = []
            for _ in 0..<3 {
                let created = try await client.call(.post, "/loans", token: token, json: Samples.approvable)
                #expect(created.status == .accepted && created.json["status"] == "Pending" && created.json["owner"] == .string(owner))
                ids.append(try #require(created.json["id"]?.stringValue))
                #expect(created.headers[.location] == "/loans/\(ids.last!)")
            }
            let page = try await client.call(.get, "/loans?limit=2", token: token)
            #expect(page.json["total"] == 3 && page.json["loans"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [ids[2], ids[1]])
            let next = try await client.call(.get, "/loans?limit=2&offset=2", token: token)
            #expect(next.json["loans"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [ids[0]])
            let badPage = try await client.call(.get, "/loans?limit=0&offset=x", token: token)
            #expect(badPage.status == .unprocessableContent && badPage.json["fields"]?.objectValue?.count == 2)

            let others = try await client.call(.get, "/loans", token: otherToken)
            #expect(others.json["total"] == 0)
            let stolen = try await client.call(.get, "/loans/\(ids[0])", token: otherToken)
            #expect(stolen.status == .notFound)
            let stolenCancel = try await client.call(.post, "/loans/\(ids[0])/cancel", token: otherToken)
            #expect(stolenCancel.status == .notFound)
            let garbage = try await client.call(.get, "/loans/not-an-id", token: token)
            #expect(garbage.status == .notFound)
        }
    }

    @Test func cancelWhileEvaluatingOnly() async throws {
        try await APIHarness.withClient("api-cancel") { harness, client in  // no workers: the loan stays Pending
            let (token, _) = try await client.newAccount()
            let created = try await client.call(.post, "/loans", token: token, json: Samples.approvable)
            let id = try #require(created.json["id"]?.stringValue)
            let cancelled = try await client.call(.post, "/loans/\(id)/cancel", token: token)
            #expect(cancelled.status == .ok && cancelled.json["status"] == "Cancelled", "\(cancelled.json)")
            let again = try await client.call(.post, "/loans/\(id)/cancel", token: token)
            #expect(again.status == .conflict)
            let read = try await client.call(.get, "/loans/\(id)", token: token)
            #expect(read.json["history"]?.arrayValue?.last?["event"] == "cancelled_by_applicant")
        }
    }
}
