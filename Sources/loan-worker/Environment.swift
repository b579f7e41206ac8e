import Foundation
import Logging

/// Typed reads of the process environment with clear errors for bad values.
struct Environment {
    let values = ProcessInfo.processInfo.environment

    func string(_ name: String) -> String? {
        values[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    func required(_ name: String) throws -> String {
        guard let value = string(name) else { throw ConfigurationError("\(name) is not set") }
        return value
    }

    func int(_ name: String) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), value >= 0 else { throw ConfigurationError("\(name)=\(text) is not a non-negative integer") }
        return value
    }

    func double(_ name: String) throws -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text), value >= 0 else { throw ConfigurationError("\(name)=\(text) is not a non-negative number") }
        return value
    }

    func bool(_ name: String) throws -> Bool? {
        guard let text = string(name)?.lowercased() else { return nil }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError("\(name)=\(text) is not a boolean (1/0, true/false)")
        }
    }

    var logLevel: Logger.Level {
        string("LOG_LEVEL").flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
    }
}

struct ConfigurationError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { "configuration error: \(message)" }
}
