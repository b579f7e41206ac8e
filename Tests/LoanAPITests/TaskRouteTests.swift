import Celeriac
import Foundation
import Hummingbird
import HummingbirdTesting
import JSONCore
import LoanAPI
import Testing
import TestSupport

@Suite("LoanAPI Flower-compatible task routes")
struct TaskRouteTests {
    @Test func adminTokenGuardsTheRoutes() async throws {
        try await APIHarness.withClient("api-admin") { _, client in
            let (userToken, _) = try await client.newAccount()
            for token in [nil, userToken, "wrong"] {
                let response = try await client.call(.get, "/api/queues/length", token: token)
                #expect(response.status == .unauthorized)
            }
        }
        try await APIHarness.withClient("api-noadmin", configure: { $0.adminToken = nil }) { _, client in
            let response = try await client.call(.get, "/api/queues/length", token: APIHarness.adminToken)
            #expect(response.status == .forbidden)
        }
    }

    @Test func asyncApplyResultInfoRevokeAndQueueLengths() async throws {
        let admin = APIHarness.adminToken
        try await APIHarness.withClient("api-flower") { harness, client in
            let queue = harness.services.pipeline.tasks.queues.credit
            let applied = try await client.call(.post, "/api/task/async-apply/demo.add", token: admin,
                                                json: #"{"args": [2, 3], "kwargs": {}, "queue": "\#(queue)"}"#)
            #expect(applied.status == .ok && applied.json["state"] == "PENDING", "\(applied.json)")
            let id = try #require(applied.json["task-id"]?.stringValue)

            let lengths = try await client.call(.get, "/api/queues/length", token: admin)
            let credit = lengths.json["active_queues"]?.arrayValue?.first { $0["name"] == .string(queue) }
            #expect(credit?["messages"] == 1, "\(lengths.json)")

            let pending = try await client.call(.get, "/api/task/result/\(id)", token: admin)
            #expect(pending.json == ["task-id": .string(id), "state": "PENDING"])
            let unknown = try await client.call(.get, "/api/task/info/\(id)", token: admin)
            #expect(unknown.status == .notFound)

            // A stored result, as a worker would leave it.
            var meta = ResultMeta(taskID: id, status: .success, result: 5, dateDone: Date())
            meta.name = "demo.add"
            meta.args = [2, 3]
            try await harness.services.backend.store(meta)
            let done = try await client.call(.get, "/api/task/result/\(id)", token: admin)
            #expect(done.json == ["task-id": .string(id), "state": "SUCCESS", "result": 5])
            let info = try await client.call(.get, "/api/task/info/\(id)", token: admin)
            #expect(info.json["name"] == "demo.add" && info.json["args"] == [2, 3] && info.json["state"] == "SUCCESS")

            let revoked = try await client.call(.post, "/api/task/revoke/\(id)", token: admin)
            #expect(revoked.json == ["message": .string("Revoked '\(id)'")])

            let bad = try await client.call(.post, "/api/task/async-apply/demo.add", token: admin,
                                            json: #"{"args": {}, "countdown": -1, "eta": "tomorrow", "priority": 1}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(Set(bad.json["fields"]?.objectValue?.keys.map { $0 } ?? []) == ["args", "countdown", "eta", "priority"])
            let countdown = try await client.call(.post, "/api/task/async-apply/demo.add", token: admin,
                                                  json: #"{"args": [1, 1], "countdown": 30, "queue": "\#(queue)"}"#)
            #expect(countdown.status == .ok)
            let noBody = try await client.call(.post, "/api/task/async-apply/demo.add?x=1", token: admin)
            #expect(noBody.status == .ok)
        }
    }
}
