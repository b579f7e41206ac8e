import AMQP

/// Header tables carry JSON-like values both ways (Celery headers are built from Python values).
extension AMQPFieldValue {
    init(json: JSONValue) {
        switch json {
        case .null: self = .void
        case .bool(let b): self = .bool(b)
        case .int(let i): self = Int32(exactly: i).map(AMQPFieldValue.int32) ?? .int64(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(AMQPFieldValue.init(json:)))
        case .object(let members): self = .table(members.mapValues(AMQPFieldValue.init(json:)))
        }
    }

    var json: JSONValue {
        switch self {
        case .void: .null
        case .bool(let b): .bool(b)
        case .int8(let v): .int(Int64(v))
        case .uint8(let v): .int(Int64(v))
        case .int16(let v): .int(Int64(v))
        case .uint16(let v): .int(Int64(v))
        case .int32(let v): .int(Int64(v))
        case .uint32(let v): .int(Int64(v))
        case .int64(let v): .int(v)
        case .uint64(let v): Int64(exactly: v).map(JSONValue.int) ?? .double(Double(v))
        case .float(let v): .double(Double(v))
        case .double(let v): .double(v)
        case .decimal(let scale, let value): .double(Double(value) / pow10(Int(scale)))
        case .string(let s): .string(s)
        case .bytes(let b): .string(String(decoding: b, as: UTF8.self))
        case .timestamp(let t): .int(Int64(t))
        case .array(let items): .array(items.map(\.json))
        case .table(let table): .object(table.mapValues(\.json))
        }
    }
}

private func pow10(_ n: Int) -> Double {
    var value = 1.0
    for _ in 0..<n { value *= 10 }
    return value
}
