import Celeriac
import Foundation
import Testing

@Suite struct TaskMessageTests {
    /// Headers and body exactly as Celery 5.7 published them (trace in the protocol notes).
    @Test func decodesACeleryMessage() throws {
        let headers: [String: JSONValue] = [
            "lang": "py", "task": "loan.credit_check", "id": "fa9f7e2e-1", "shadow": .null,
            "eta": "2026-11-22T14:47:55.782587+00:00", "expires": "2026-11-22T15:47:25.782587+00:00",
            "group": .null, "group_index": .null, "retries": 0, "timelimit": [60, 50],
            "root_id": "fa9f7e2e-1", "parent_id": .null, "argsrepr": "('L1', {'name': 'A'})", "kwargsrepr": "{}",
            "origin": "gen21288@vm", "ignore_result": false, "replaced_task_nesting": 0,
            "stamped_headers": .null, "stamps": [:], "x-custom": "kept",
        ]
        let body = #"[["L1",{"name":"A"}],{},{"callbacks":null,"errbacks":null,"chain":null,"chord":{"task":"loan.decide","args":["L1"],"kwargs":{},"options":{"task_id":"b73610c1","group_id":"83495010"},"subtask_type":null,"immutable":false}}]"#
        let message = try TaskMessage(headers: headers, body: Array(body.utf8), contentType: "application/json",
                                      contentEncoding: "utf-8")
        #expect(message.task == "loan.credit_check")
        #expect(message.timeLimit == 60)
        #expect(message.softTimeLimit == 50)
        #expect(message.eta.map(CeleryDate.format) == "2026-11-22T14:47:55.782587+00:00")
        #expect(message.args == ["L1", ["name": "A"]])
        #expect(message.chord?.task == "loan.decide")
        #expect(message.chord?.taskID == "b73610c1")
        #expect(message.extraHeaders["x-custom"] == "kept")

        // Re-encoding keeps every header Celery wrote.
        let again = try TaskMessage(headers: message.headers, body: message.body, contentType: "application/json",
                                    contentEncoding: "utf-8")
        #expect(again == message)
        #expect(message.headers["timelimit"] == [60, 50])
        #expect(message.headers["x-custom"] == "kept")
    }

    /// A sparse message (another client leaving optional headers out) keeps its own headers as
    /// extras, and a complete one without extras has none.
    @Test func keepsExtraHeadersOfASparseMessage() throws {
        let body = Array(#"[[1, 2], {}, null]"#.utf8)
        let sparse = try TaskMessage(headers: ["task": "demo.add", "id": "s1", "retries": 2, "x-trace": "abc", "x-n": 7],
                                     body: body, contentType: nil, contentEncoding: nil)
        #expect(sparse.retries == 2)
        #expect(sparse.extraHeaders == ["x-trace": "abc", "x-n": 7])
        #expect(sparse.headers["x-trace"] == "abc")

        let complete = try TaskMessage(headers: sparse.headers.filter { !$0.key.hasPrefix("x-") }, body: body,
                                       contentType: nil, contentEncoding: nil)
        #expect(complete.extraHeaders.isEmpty)
        #expect(complete.retries == 2)
    }

    /// Optional headers at Celery's default are left out; set, each of them is sent.
    @Test func leavesOutOptionalHeadersAtTheirDefault() throws {
        var message = TaskMessage(id: "t1", task: "demo.add", args: [1, 2])
        // Set so that decoding gives back the same value (the headers would default them).
        message.origin = "gen1@host"; message.rootID = "t1"; message.argsrepr = "[1, 2]"; message.kwargsrepr = "{}"
        #expect(Set(message.headers.keys) == ["lang", "task", "id", "root_id", "argsrepr", "kwargsrepr",
                                              "origin", "ignore_result"])
        message.retries = 1
        message.shadow = "add"; message.eta = Date(timeIntervalSince1970: 1_800_000_000)
        message.expires = Date(timeIntervalSince1970: 1_800_000_600); message.group = "g"; message.groupIndex = 0
        message.softTimeLimit = 5; message.parentID = "p"; message.replacedTaskNesting = 1
        message.stampedHeaders = ["s"]; message.stamps = ["s": "v"]
        let headers = message.headers
        #expect(headers.count == 19)
        #expect(headers["timelimit"] == [.null, 5])
        #expect(headers["group_index"] == 0)
        #expect(try TaskMessage(headers: headers, body: message.body, contentType: nil, contentEncoding: nil) == message)
    }

    @Test func resultMetaSerializesLikeItsJSON() throws {
        var meta = ResultMeta(taskID: "t1", status: .success, result: ["a": [1, 2.5, "x\"y"]], traceback: nil,
                              dateDone: Date(timeIntervalSince1970: 1_800_000_000.25))
        #expect(try JSONValue(parsing: meta.serialized()) == meta.json)
        meta.groupID = "g"; meta.parentID = "p"; meta.name = "demo.add"; meta.args = [1, .null]; meta.kwargs = ["k": true]
        meta.worker = "w@h"; meta.retries = 2; meta.queue = "q"; meta.traceback = "Traceback\n  line"; meta.status = .failure
        #expect(try JSONValue(parsing: meta.serialized()) == meta.json)
        #expect(String(decoding: meta.serialized(), as: UTF8.self).hasPrefix(#"{"status":"FAILURE","result":"#))
    }

    @Test func acceptsTheMinimumPythonAccepts() throws {
        let message = try TaskMessage(headers: ["task": "demo.add", "id": "1"], body: Array("[[2,3],{},null]".utf8),
                                      contentType: nil, contentEncoding: nil)
        #expect(message.args == [2, 3])
        #expect(message.rootID == nil)
        #expect(message.headers["root_id"] == "1")
    }

    @Test(arguments: [
        (["id": "1"] as [String: JSONValue], "[[],{},null]"),            // protocol v1 / no task
        (["task": "t"], "[[],{},null]"),                                   // no id
        (["task": "t", "id": "1"], "not json"),
        (["task": "t", "id": "1"], "[[],{}]"),
        (["task": "t", "id": "1"], "[{},{},null]"),
        (["task": "t", "id": "1", "eta": "tomorrow"], "[[],{},null]"),
        (["task": "t", "id": "1", "compression": "application/x-gzip"], "[[],{},null]"),
        (["task": "t", "id": "1"], #"[[],{},{"chain":[{"args":[]}]}]"#),   // signature without task
    ])
    func rejectsBadMessages(_ headers: [String: JSONValue], _ body: String) {
        #expect(throws: ProtocolError.self) {
            try TaskMessage(headers: headers, body: Array(body.utf8), contentType: "application/json", contentEncoding: "utf-8")
        }
    }

    @Test func rejectsOtherSerializers() {
        #expect(throws: ProtocolError.self) {
            try TaskMessage(headers: ["task": "t", "id": "1"], body: [0x80], contentType: "application/x-python-serialize",
                            contentEncoding: "binary")
        }
    }
}

@Suite struct ResultMetaTests {
    @Test func readsAndWritesCeleryResults() throws {
        let stored = #"{"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["property service down"], "exc_module": "builtins"}, "traceback": "Traceback ...", "children": [], "date_done": "2026-11-22T14:46:43.295595+00:00", "group_id": "g1", "task_id": "c654"}"#
        let meta = try ResultMeta(json: try JSONValue(parsing: stored), taskID: "c654")
        #expect(meta.status == .failure)
        #expect(meta.exception?.type == "ValueError")
        #expect(meta.exception?.message == "property service down")
        #expect(meta.exception?.pythonRepr == "ValueError('property service down')")
        #expect(meta.groupID == "g1")
        let again = try ResultMeta(json: meta.json, taskID: "c654")
        #expect(again == meta)
    }

    @Test func rejectsResultsWithoutStatus() {
        #expect(throws: ProtocolError.self) { try ResultMeta(json: ["result": 1], taskID: "x") }
        #expect(throws: ProtocolError.self) { try ResultMeta(json: ["status": "WEIRD"], taskID: "x") }
    }
}
