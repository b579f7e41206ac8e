import Celeriac
import Foundation
import Hummingbird
import JSONCore

/// Flower-compatible operator routes (admin bearer token): `POST /api/task/async-apply/{name}`,
/// `GET /api/task/result/{id}`, `GET /api/task/info/{id}`, `POST /api/task/revoke/{id}`,
/// `GET /api/queues/length`. Replies have Flower's JSON shapes.
struct TaskRoutes {
    let services: LoanAPIServices

    func register(in table: RouteTable<BasicRequestContext>) {
        table.add(.post, "/api/task/async-apply/{name}") { request, context in
            try services.requireAdmin(request)
            return try await asyncApply(request, name: context.parameters.get("name") ?? "")
        }
        table.add(.get, "/api/task/result/{id}") { request, context in
            try services.requireAdmin(request)
            let id = try Self.taskID(context)
            var response: [String: JSONValue] = ["task-id": .string(id), "state": "PENDING"]
            if let meta = try await services.backend.result(for: id) {
                response["state"] = .string(meta.status.rawValue)
                if meta.status.isReady { response["result"] = meta.result }
                if meta.status == .failure { response["traceback"] = .string(meta.traceback) }
            }
            return JSONValue.object(response).response()
        }
        table.add(.get, "/api/task/info/{id}") { request, context in
            try services.requireAdmin(request)
            let id = try Self.taskID(context)
            guard let meta = try await services.backend.result(for: id) else { throw APIError.notFound("Unknown task '\(id)'") }
            var info: [String: JSONValue] = ["uuid": .string(id), "task-id": .string(id), "state": .string(meta.status.rawValue),
                                             "result": meta.result, "traceback": .string(meta.traceback)]
            if let name = meta.name { info["name"] = .string(name) }
            if let args = meta.args { info["args"] = .array(args) }
            if let kwargs = meta.kwargs { info["kwargs"] = .object(kwargs) }
            if let worker = meta.worker { info["worker"] = .string(worker) }
            if let retries = meta.retries { info["retries"] = .int(Int64(retries)) }
            if let queue = meta.queue { info["routing_key"] = .string(queue) }
            if let done = meta.dateDone { info["date_done"] = .string(done.formatted(.iso8601)) }
            return JSONValue.object(info).response()
        }
        table.add(.post, "/api/task/revoke/{id}") { request, context in
            try services.requireAdmin(request)
            let id = try Self.taskID(context)
            try await services.client.revoke(id)
            return JSONValue.object(["message": .string("Revoked '\(id)'")]).response()
        }
        table.add(.get, "/api/queues/length") { request, _ in
            try services.requireAdmin(request)
            var queues: [JSONValue] = []
            for name in services.pipeline.tasks.queues.all {
                if let state = try await services.broker.queueState(name) {
                    queues.append(["name": .string(name), "messages": .int(Int64(state.messages))])
                }
            }
            return JSONValue.object(["active_queues": .array(queues)]).response()
        }
    }

    func asyncApply(_ request: Request, name: String) async throws -> Response {
        var errors: [String: String] = [:]
        if name.isEmpty || name.utf8.count > 200 { errors["name"] = "task name must be 1 to 200 characters" }
        var body = request
        let bytes = try await body.collectBody(upTo: services.configuration.maxBodyBytes)
        var object: [String: JSONValue] = [:]
        if bytes.readableBytes > 0 {
            guard let parsed = try? JSONValue(parsing: bytes.readableBytesView) else { throw APIError.badRequest("malformed JSON") }
            guard let parsedObject = parsed.objectValue else { throw APIError.badRequest("request body must be a JSON object") }
            object = parsedObject
        }
        var options = SendOptions()
        let args = Self.field(object, "args", errors: &errors, "must be an array") { $0.arrayValue } ?? []
        let kwargs = Self.field(object, "kwargs", errors: &errors, "must be an object") { $0.objectValue } ?? [:]
        options.countdown = Self.field(object, "countdown", errors: &errors, "must be a number of seconds from 0 to 31536000") {
            $0.doubleValue.flatMap { (0...31_536_000).contains($0) ? $0 : nil }
        }
        options.eta = Self.field(object, "eta", errors: &errors, "must be an ISO 8601 date-time within a year from now") {
            $0.stringValue.flatMap(Self.parseDate).flatMap { $0.timeIntervalSinceNow < 31_536_000 ? $0 : nil }
        }
        options.queue = Self.field(object, "queue", errors: &errors, "must be a queue name: 1 to 200 of A-Z a-z 0-9 . _ : -") {
            $0.stringValue.flatMap(Self.isQueueName) == true ? $0.stringValue : nil
        }
        for key in object.keys where !["args", "kwargs", "countdown", "eta", "queue"].contains(key) {
            errors[key] = "unknown field"
        }
        guard errors.isEmpty else { throw APIError.validation(errors) }
        do {
            let result = try await services.client.send(name, args: args, kwargs: kwargs, options: options)
            services.metrics.taskSubmitted(name, ok: true)
            return JSONValue.object(["task-id": .string(result.id), "state": "PENDING"]).response()
        } catch {
            services.metrics.taskSubmitted(name, ok: false)
            throw APIError(.serviceUnavailable, "the task could not be sent: \(error)")
        }
    }

    static func field<T>(_ object: [String: JSONValue], _ key: String, errors: inout [String: String], _ message: String,
                         _ read: (JSONValue) -> T?) -> T? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let result = read(value) else { errors[key] = message; return nil }
        return result
    }

    static func taskID(_ context: BasicRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), (1...200).contains(id.utf8.count) else { throw APIError.notFound("no such task") }
        return id
    }

    static func isQueueName(_ name: String) -> Bool {
        (1...200).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || ".-_:".utf8.contains(byte)
        }
    }

    static func parseDate(_ text: String) -> Date? {
        (try? Date(text, strategy: .iso8601)) ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }
}
