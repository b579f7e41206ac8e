public import JSONCore

/// The OpenAPI 3.1 description of the whole API, served at `GET /openapi.json`. A test checks
/// that its paths and methods are exactly the routes the router serves.
public enum OpenAPIDocument {
    public static let document: JSONValue = [
        "openapi": "3.1.0",
        "info": ["title": "Celeriac loan API", "version": "1.0.0",
                 "description": "Home-loan applications evaluated by Celeriac workers, live status over WebSocket, and Flower-compatible operator routes. Errors are always JSON {\"error\": message}; validation failures add \"fields\" (one message per field path)."],
        "paths": .object(paths),
        "components": ["schemas": .object(schemas), "securitySchemes": [
            "bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "Token from POST /auth/login."],
            "admin": ["type": "http", "scheme": "bearer", "description": "The ADMIN_TOKEN of the deployment."],
        ]],
    ]

    /// The document, serialized once.
    public static let bytes: [UInt8] = document.serialized()

    // MARK: paths

    static let idParameter: JSONValue = ["name": "id", "in": "path", "required": true, "schema": ["type": "string"]]
    static let user: JSONValue = [["bearer": []]]
    static let admin: JSONValue = [["admin": []]]

    static var paths: [String: JSONValue] {
        [
            "/health": ["get": operation("health", "Liveness: the process serves requests.", responses: ["200": json(ref("Status"))])],
            "/ready": ["get": operation("ready", "Readiness: RabbitMQ, Redis and MongoDB answer.",
                                        responses: ["200": json(ref("Readiness")), "503": json(ref("Readiness"), "A dependency is down.")])],
            "/metrics": ["get": operation("metrics", "Prometheus metrics (text exposition format).",
                                          responses: ["200": ["description": "Metrics", "content": ["text/plain": ["schema": ["type": "string"]]]]])],
            "/openapi.json": ["get": operation("openapi", "This document.", responses: ["200": json(["type": "object"])])],
            "/accounts": ["post": operation("signUp", "Create an account.", body: ref("Credentials"),
                                            responses: ["201": json(ref("Account")), "409": json(ref("Error"), "Email taken.")])],
            "/auth/login": ["post": operation("logIn", "Exchange email and password for a bearer token; repeated failures answer 429.",
                                              body: ref("LoginRequest"), responses: ["200": json(ref("Token"))])],
            "/accounts/me": [
                "get": operation("getAccount", "My account.", security: user, responses: ["200": json(ref("Account"))]),
                "patch": operation("updateAccount", "Change my email and/or password.", security: user, body: ref("AccountUpdate"),
                                   responses: ["200": json(ref("Account"))]),
                "delete": operation("deleteAccount", "Delete my account (its loans are kept).", security: user,
                                    responses: ["204": ["description": "Deleted"]]),
            ],
            "/loans": [
                "post": operation("submitLoan", "Submit a loan request: stored Pending, evaluation started.", security: user,
                                  body: ref("LoanRequest"),
                                  responses: ["202": json(ref("Loan")), "503": json(ref("Error"), "The evaluation could not be started; the loan was cancelled.")]),
                "get": operation("listLoans", "My loans, newest first, without repayment schedules.", security: user,
                                 parameters: [query("limit", 1...100), query("offset", 0...1_000_000)],
                                 responses: ["200": json(ref("LoanPage"))]),
            ],
            "/loans/{id}": ["get": operation("getLoan", "One of my loans (another user's answers 404).", security: user,
                                             parameters: [idParameter], responses: ["200": json(ref("Loan"))])],
            "/loans/{id}/cancel": ["post": operation("cancelLoan", "Cancel a loan still Pending or Evaluating (409 otherwise).",
                                                     security: user, parameters: [idParameter], responses: ["200": json(ref("Loan"))])],
            "/loans/{id}/events": ["get": operation(
                "loanEvents",
                "WebSocket (send Upgrade: websocket; token in the Authorization header or ?token=): the loan as JSON at once, then after every change, closed once decided or cancelled; a bad token or another user's loan gets one {\"error\", \"status\"} message and close code 1008. A plain HTTP request answers 401/404, else 426.",
                security: user, parameters: [idParameter, ["name": "token", "in": "query", "required": false, "schema": ["type": "string"]]],
                responses: ["101": ["description": "Switching to the WebSocket protocol; each message is a Loan."]])],
            "/api/task/async-apply/{name}": ["post": operation(
                "asyncApply", "Send a task by name (Flower-compatible).", security: admin,
                parameters: [["name": "name", "in": "path", "required": true, "schema": ["type": "string"]]],
                body: ref("TaskApply"), bodyRequired: false, responses: ["200": json(ref("TaskApplied")), "503": json(ref("Error"))])],
            "/api/task/result/{id}": ["get": operation("taskResult", "A task's state and result (Flower-compatible).", security: admin,
                                                       parameters: [idParameter], responses: ["200": json(ref("TaskResult"))])],
            "/api/task/info/{id}": ["get": operation("taskInfo", "What the result backend knows of a task (404 when nothing).",
                                                     security: admin, parameters: [idParameter], responses: ["200": json(ref("TaskInfo"))])],
            "/api/task/revoke/{id}": ["post": operation("revokeTask", "Revoke a task on every worker (Flower-compatible).", security: admin,
                                                        parameters: [idParameter], responses: ["200": json(ref("Message"))])],
            "/api/queues/length": ["get": operation("queueLengths", "Messages waiting in the loan queues (Flower-compatible).",
                                                    security: admin, responses: ["200": json(ref("QueueLengths"))])],
        ]
    }

    static func operation(_ id: String, _ summary: String, security: JSONValue? = nil, parameters: [JSONValue] = [],
                          body: JSONValue? = nil, bodyRequired: Bool = true, responses: [String: JSONValue]) -> JSONValue {
        var responses = responses
        responses["4XX"] = json(ref("Error"), "Client error: bad JSON (400), bad token (401), not found (404), body too large (413), validation (422), rate limited (429).")
        var operation: [String: JSONValue] = ["operationId": .string(id), "summary": .string(summary), "responses": .object(responses)]
        if let security { operation["security"] = security }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let body {
            operation["requestBody"] = ["required": .bool(bodyRequired), "content": ["application/json": ["schema": body]]]
        }
        return .object(operation)
    }

    static func json(_ schema: JSONValue, _ description: String = "OK") -> JSONValue {
        ["description": .string(description), "content": ["application/json": ["schema": schema]]]
    }

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    static func query(_ name: String, _ range: ClosedRange<Int>) -> JSONValue {
        ["name": .string(name), "in": "query", "required": false,
         "schema": ["type": "integer", "minimum": .int(Int64(range.lowerBound)), "maximum": .int(Int64(range.upperBound))]]
    }

    // MARK: schemas

    static func object(_ properties: [String: JSONValue], required: [String], closed: Bool = true) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "object", "properties": .object(properties),
                                           "required": .array(required.map { .string($0) })]
        if closed { schema["additionalProperties"] = false }
        return .object(schema)
    }

    static func enumeration(_ values: [String]) -> JSONValue { ["type": "string", "enum": .array(values.map { .string($0) })] }

    static let string: JSONValue = ["type": "string"]
    static let dateTime: JSONValue = ["type": "string", "format": "date-time"]
    static let anyValue: JSONValue = [:]

    static var schemas: [String: JSONValue] {
        [
            "Error": object(["error": string, "fields": ["type": "object", "additionalProperties": string]], required: ["error"]),
            "Status": object(["status": string], required: ["status"]),
            "Readiness": object(["status": enumeration(["ready", "unavailable"]),
                                 "checks": ["type": "object", "additionalProperties": string],
                                 "down": ["type": "array", "items": enumeration(["rabbitmq", "redis", "mongodb"])]],
                                required: ["status", "checks", "down"]),
            "Credentials": object(["email": ["type": "string", "maxLength": 254], "password": ["type": "string", "minLength": 8, "maxLength": 72]],
                                  required: ["email", "password"]),
            "LoginRequest": object(["email": string, "password": string], required: ["email", "password"]),
            "AccountUpdate": object(["email": ["type": "string", "maxLength": 254],
                                     "password": ["type": "string", "minLength": 8, "maxLength": 72]], required: []),
            "Account": object(["id": string, "email": string, "created_at": dateTime, "updated_at": dateTime],
                              required: ["id", "email", "created_at", "updated_at"]),
            "Token": object(["access_token": string, "token_type": enumeration(["bearer"]), "expires_in": ["type": "integer"]],
                            required: ["access_token", "token_type", "expires_in"]),
            // Generated from the validation rules (with each message as x-error-message): the web form reads it.
            "LoanRequest": LoanFieldRule.requestSchema,
            "Loan": object([
                "id": string, "owner": ["type": ["string", "null"]],
                "status": enumeration(["Pending", "Evaluating", "Approved", "Denied", "Cancelled"]),
                "request": ref("LoanRequest"),
                "checks": ["type": "object", "description": "Credit and property check results, once each has run."],
                "decision": ["type": "object", "description": "The decision with rate, monthly payment and repayment schedule (omitted in lists)."],
                "reasons": ["type": "array", "items": string], "error": string, "evaluation_id": string,
                "history": ["type": "array", "items": object(["event": string, "status": string, "at": dateTime, "detail": string],
                                                             required: ["event", "at"])],
                "created_at": dateTime, "updated_at": dateTime,
            ], required: ["id", "status", "request", "checks", "reasons", "history", "created_at", "updated_at"]),
            "LoanPage": object(["loans": ["type": "array", "items": ref("Loan")], "total": ["type": "integer"],
                                "limit": ["type": "integer"], "offset": ["type": "integer"]],
                               required: ["loans", "total", "limit", "offset"]),
            "TaskApply": object(["args": ["type": "array"], "kwargs": ["type": "object"],
                                 "countdown": ["type": "number", "minimum": 0, "maximum": 31_536_000],
                                 "eta": dateTime, "queue": ["type": "string", "pattern": "^[A-Za-z0-9._:-]{1,200}$"]], required: []),
            "TaskApplied": object(["task-id": string, "state": string], required: ["task-id", "state"]),
            "TaskResult": object(["task-id": string, "state": string, "result": anyValue, "traceback": ["type": ["string", "null"]]],
                                 required: ["task-id", "state"]),
            "TaskInfo": object(["uuid": string, "task-id": string, "state": string, "result": anyValue,
                                "traceback": ["type": ["string", "null"]], "name": string, "args": ["type": "array"],
                                "kwargs": ["type": "object"], "worker": string, "retries": ["type": "integer"],
                                "routing_key": string, "date_done": dateTime], required: ["uuid", "task-id", "state"]),
            "Message": object(["message": string], required: ["message"]),
            "QueueLengths": object(["active_queues": ["type": "array", "items": object(["name": string, "messages": ["type": "integer"]],
                                                                                      required: ["name", "messages"])]],
                                   required: ["active_queues"]),
        ]
    }
}
