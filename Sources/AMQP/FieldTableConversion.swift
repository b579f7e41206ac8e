import CRabbitMQ

// Field kinds, as rabbitmq-c spells them (AMQP_FIELD_KIND_*).
private enum Kind {
    static let boolean = UInt8(ascii: "t")
    static let i8 = UInt8(ascii: "b")
    static let u8 = UInt8(ascii: "B")
    static let i16 = UInt8(ascii: "s")
    static let u16 = UInt8(ascii: "u")
    static let i32 = UInt8(ascii: "I")
    static let u32 = UInt8(ascii: "i")
    static let i64 = UInt8(ascii: "l")
    static let u64 = UInt8(ascii: "L")
    static let f32 = UInt8(ascii: "f")
    static let f64 = UInt8(ascii: "d")
    static let decimal = UInt8(ascii: "D")
    static let utf8 = UInt8(ascii: "S")
    static let array = UInt8(ascii: "A")
    static let timestamp = UInt8(ascii: "T")
    static let table = UInt8(ascii: "F")
    static let void = UInt8(ascii: "V")
    static let bytes = UInt8(ascii: "x")
}

extension CArena {
    /// `table` as a C table whose memory lives as long as the arena.
    func table(_ table: AMQPTable) -> amqp_table_t {
        guard !table.isEmpty else { return amqp_table_t(num_entries: 0, entries: nil) }
        let entries = allocate(amqp_table_entry_t.self, count: table.count)
        // In the dictionary's order: AMQP gives table order no meaning, and sorting the keys
        // (then looking each up again) was a visible part of every publish.
        for (index, entry) in table.enumerated() {
            (entries + index).initialize(to: amqp_table_entry_t(key: bytes(entry.key), value: fieldValue(entry.value)))
        }
        return amqp_table_t(num_entries: Int32(table.count), entries: entries)
    }

    /// `value` as a C field value whose memory lives as long as the arena.
    func fieldValue(_ value: AMQPFieldValue) -> amqp_field_value_t {
        var field = amqp_field_value_t()
        switch value {
        case .bool(let v): field.kind = Kind.boolean; field.value.boolean = v ? 1 : 0
        case .int8(let v): field.kind = Kind.i8; field.value.i8 = v
        case .uint8(let v): field.kind = Kind.u8; field.value.u8 = v
        case .int16(let v): field.kind = Kind.i16; field.value.i16 = v
        case .uint16(let v): field.kind = Kind.u16; field.value.u16 = v
        case .int32(let v): field.kind = Kind.i32; field.value.i32 = v
        case .uint32(let v): field.kind = Kind.u32; field.value.u32 = v
        case .int64(let v): field.kind = Kind.i64; field.value.i64 = v
        case .uint64(let v): field.kind = Kind.u64; field.value.u64 = v
        case .float(let v): field.kind = Kind.f32; field.value.f32 = v
        case .double(let v): field.kind = Kind.f64; field.value.f64 = v
        case .decimal(let scale, let v):
            field.kind = Kind.decimal
            field.value.decimal = amqp_decimal_t(decimals: scale, value: v)
        case .string(let v): field.kind = Kind.utf8; field.value.bytes = bytes(v)
        case .bytes(let v): field.kind = Kind.bytes; field.value.bytes = bytes(v)
        case .timestamp(let v): field.kind = Kind.timestamp; field.value.u64 = v
        case .array(let values):
            field.kind = Kind.array
            if values.isEmpty {
                field.value.array = amqp_array_t(num_entries: 0, entries: nil)
            } else {
                let entries = allocate(amqp_field_value_t.self, count: values.count)
                for (index, element) in values.enumerated() { (entries + index).initialize(to: fieldValue(element)) }
                field.value.array = amqp_array_t(num_entries: Int32(values.count), entries: entries)
            }
        case .table(let nested): field.kind = Kind.table; field.value.table = table(nested)
        case .void: field.kind = Kind.void
        }
        return field
    }
}

/// Swift values from rabbitmq-c's decoded tables (copied; the C memory may be released after).
enum FieldTableDecoder {
    static func table(_ table: amqp_table_t) -> AMQPTable {
        var result: AMQPTable = [:]
        guard table.num_entries > 0, let entries = table.entries else { return result }
        result.reserveCapacity(Int(table.num_entries))
        for index in 0..<Int(table.num_entries) {
            let entry = entries[index]
            result[entry.key.string] = value(entry.value)
        }
        return result
    }

    static func value(_ field: amqp_field_value_t) -> AMQPFieldValue {
        switch field.kind {
        case Kind.boolean: return .bool(field.value.boolean != 0)
        case Kind.i8: return .int8(field.value.i8)
        case Kind.u8: return .uint8(field.value.u8)
        case Kind.i16: return .int16(field.value.i16)
        case Kind.u16: return .uint16(field.value.u16)
        case Kind.i32: return .int32(field.value.i32)
        case Kind.u32: return .uint32(field.value.u32)
        case Kind.i64: return .int64(field.value.i64)
        case Kind.u64: return .uint64(field.value.u64)
        case Kind.f32: return .float(field.value.f32)
        case Kind.f64: return .double(field.value.f64)
        case Kind.decimal: return .decimal(scale: field.value.decimal.decimals, value: field.value.decimal.value)
        case Kind.utf8: return .string(field.value.bytes.string)
        case Kind.bytes: return .bytes(field.value.bytes.array)
        case Kind.timestamp: return .timestamp(field.value.u64)
        case Kind.table: return .table(table(field.value.table))
        case Kind.array:
            let array = field.value.array
            guard array.num_entries > 0, let entries = array.entries else { return .array([]) }
            return .array((0..<Int(array.num_entries)).map { value(entries[$0]) })
        default: return .void
        }
    }
}
