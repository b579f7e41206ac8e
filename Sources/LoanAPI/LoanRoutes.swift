import Foundation
import Hummingbird
import JSONCore
import LoanDomain
import LoanStore

/// `POST /loans`, `GET /loans`, `GET /loans/{id}`, `POST /loans/{id}/cancel`, and the plain-HTTP
/// side of `GET /loans/{id}/events` (answers 401/404, or 426 when the request is no upgrade).
struct LoanRoutes {
    let services: LoanAPIServices

    func register(in table: RouteTable<BasicRequestContext>) {
        table.add(.post, "/loans") { request, _ in try await submit(request) }
        table.add(.get, "/loans") { request, _ in try await list(request) }
        table.add(.get, "/loans/{id}") { request, context in
            let account = try await services.authenticate(request)
            return try LoanView.json(try await services.ownLoan(context.parameters.get("id"), account: account)).response()
        }
        table.add(.post, "/loans/{id}/cancel") { request, context in try await cancel(request, id: context.parameters.get("id")) }
        table.add(.get, "/loans/{id}/events") { request, context in
            let account = try await services.authenticate(request)
            _ = try await services.ownLoan(context.parameters.get("id"), account: account)
            throw APIError(.upgradeRequired, "this endpoint is a WebSocket: connect with an Upgrade: websocket request",
                           headers: [.upgrade: "websocket"])
        }
    }

    func submit(_ request: Request) async throws -> Response {
        let account = try await services.authenticate(request)
        let loanRequest = try LoanRequestValidation.validate(try await request.jsonObject(limit: services.configuration.maxBodyBytes))
        let loan: LoanDocument
        do {
            loan = try await services.pipeline.submit(loanRequest, owner: account.id).loan
            services.metrics.taskSubmitted("loan.evaluation", ok: true)
        } catch {
            // The pipeline has already cancelled the loan with the error recorded: it is never left Pending.
            services.metrics.taskSubmitted("loan.evaluation", ok: false)
            services.logger.error("loan submission failed", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, "the loan could not be submitted for evaluation (a loan already stored was cancelled with the error); please retry",
                           headers: [.retryAfter: "5"])
        }
        var response = try LoanView.json(loan).response(status: .accepted)
        response.headers[.location] = "/loans/\(loan.id)"
        return response
    }

    func list(_ request: Request) async throws -> Response {
        let account = try await services.authenticate(request)
        var errors: [String: String] = [:]
        let limit = Self.queryInt(request, "limit", default: 20, 1...100, errors: &errors)
        let offset = Self.queryInt(request, "offset", default: 0, 0...1_000_000, errors: &errors)
        guard errors.isEmpty else { throw APIError.validation(errors) }
        async let loans = services.loans.loans(owner: account.id, limit: limit, skip: offset)
        async let total = services.loans.count(owner: account.id)
        return JSONValue.object(["loans": .array(try await loans.map(LoanView.json)), "total": .int(Int64(try await total)),
                                 "limit": .int(Int64(limit)), "offset": .int(Int64(offset))]).response()
    }

    func cancel(_ request: Request, id: String?) async throws -> Response {
        let account = try await services.authenticate(request)
        let loan = try await services.ownLoan(id, account: account)
        let change = try await services.loans.cancel(loan.id, event: .cancelledByApplicant, detail: "cancelled by the applicant")
        guard change.changed else {
            throw APIError(.conflict, "the loan is \(change.loan.status.rawValue): only Pending or Evaluating loans can be cancelled")
        }
        await services.pipeline.notifier.publish(change.loan)
        if let evaluation = change.loan.evaluationID { try? await services.client.revoke(evaluation) }
        return try LoanView.json(change.loan).response()
    }

    static func queryInt(_ request: Request, _ name: String, default value: Int, _ range: ClosedRange<Int>,
                         errors: inout [String: String]) -> Int {
        guard let text = request.uri.queryParameters[Substring(name)] else { return value }
        guard let number = Int(text), range.contains(number) else {
            errors[name] = "must be an integer from \(range.lowerBound) to \(range.upperBound)"
            return value
        }
        return number
    }
}

extension LoanAPIServices {
    /// The loan if `account` owns it; 404 otherwise (another user's loan is indistinguishable from none).
    func ownLoan(_ id: String?, account: Account) async throws -> LoanDocument {
        guard let id, LoanView.isLoanID(id), let loan = try await loans.loan(id), loan.owner == account.id else {
            throw APIError.notFound("no such loan")
        }
        return loan
    }
}

/// A loan as the API shows it: the stored document with `id` instead of `_id`.
enum LoanView {
    static func json(_ loan: LoanDocument) throws -> JSONValue {
        guard case .object(var object) = try JSONValue(parsing: Array(try LoanCoding.encoder.encode(loan))) else {
            return .null
        }
        object["id"] = object.removeValue(forKey: "_id")
        return .object(object)
    }

    /// 24 lower-case hex digits (an ObjectId).
    static func isLoanID(_ id: String) -> Bool {
        id.utf8.count == 24 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The live view stops after this: a decision is recorded, or the loan was cancelled.
    static func isFinal(_ loan: LoanDocument) -> Bool {
        loan.decision != nil || loan.status == .cancelled
    }
}
