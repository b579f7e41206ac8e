import Foundation
public import Logging

/// Typed reads of the process environment with clear errors for bad values: the executables'
/// whole configuration comes from here, under the names compose and Kubernetes use.
public struct Environment: Sendable {
    public let values: [String: String]

    /// The process environment.
    public init() { values = ProcessInfo.processInfo.environment }

    public init(_ values: [String: String]) { self.values = values }

    /// The value, nil when unset or empty.
    public func string(_ name: String) -> String? {
        values[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    public func required(_ name: String) throws -> String {
        guard let value = string(name) else { throw ConfigurationError("\(name) is not set") }
        return value
    }

    public func int(_ name: String) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), value >= 0 else { throw ConfigurationError("\(name)=\(text) is not a non-negative integer") }
        return value
    }

    public func double(_ name: String) throws -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text), value >= 0 else { throw ConfigurationError("\(name)=\(text) is not a non-negative number") }
        return value
    }

    public func bool(_ name: String) throws -> Bool? {
        guard let text = string(name)?.lowercased() else { return nil }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError("\(name)=\(text) is not a boolean (1/0, true/false)")
        }
    }

    /// `LOG_LEVEL` (trace … critical), `info` by default.
    public var logLevel: Logger.Level {
        string("LOG_LEVEL").flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
    }
}

/// A missing or malformed setting.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "configuration error: \(message)" }
}
