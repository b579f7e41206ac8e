import Foundation

/// The parts of a server URL such as `amqp://user:pass@host:5672/vhost` or
/// `redis://:password@host:6379/0`, percent-decoded.
public struct ServiceURL: Sendable, Equatable {
    public var scheme: String
    public var user: String?
    public var password: String?
    public var host: String
    public var port: Int?
    /// The path without its leading `/`, percent-decoded (`%2F` becomes `/`).
    public var path: String
    public var query: [String: String]

    /// Parses `string`, accepting only the given schemes.
    public init(_ string: String, schemes: Set<String>) throws(ServiceURLError) {
        guard let schemeEnd = string.range(of: "://") else {
            throw ServiceURLError(url: string, reason: "missing scheme (expected \(schemes.sorted().joined(separator: " or "))://...)")
        }
        let scheme = String(string[..<schemeEnd.lowerBound]).lowercased()
        guard schemes.contains(scheme) else {
            throw ServiceURLError(url: string, reason: "unsupported scheme '\(scheme)' (expected \(schemes.sorted().joined(separator: " or ")))")
        }
        var rest = Substring(string[schemeEnd.upperBound...])
        var query: [String: String] = [:]
        if let q = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: q)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                let key = Self.decode(String(kv[0]))
                query[key] = kv.count > 1 ? Self.decode(String(kv[1])) : ""
            }
            rest = rest[..<q]
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = Self.decode(String(rest[rest.index(after: slash)...]))
            rest = rest[..<slash]
        }
        var user: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            if let colon = credentials.firstIndex(of: ":") {
                user = Self.decode(String(credentials[..<colon]))
                password = Self.decode(String(credentials[credentials.index(after: colon)...]))
            } else {
                user = Self.decode(String(credentials))
            }
            rest = rest[rest.index(after: at)...]
        }
        var host = String(rest)
        var port: Int?
        if host.hasPrefix("[") {  // IPv6 literal
            guard let close = host.firstIndex(of: "]") else {
                throw ServiceURLError(url: string, reason: "unterminated IPv6 address")
            }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else {
                    throw ServiceURLError(url: string, reason: "invalid port '\(after.dropFirst())'")
                }
                port = p
            }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            let portText = host[host.index(after: colon)...]
            guard let p = Int(portText), (1...65535).contains(p) else {
                throw ServiceURLError(url: string, reason: "invalid port '\(portText)'")
            }
            port = p
            host = String(host[..<colon])
        }
        if host.isEmpty { host = "localhost" }
        self.scheme = scheme
        self.user = user.flatMap { $0.isEmpty ? nil : $0 }
        self.password = password
        self.host = host
        self.port = port
        self.path = path
        self.query = query
    }

    private static func decode(_ text: String) -> String {
        text.removingPercentEncoding ?? text
    }

    /// The URL with the password replaced by `***`, safe for logs and error messages.
    public var redacted: String {
        var text = "\(scheme)://"
        if let user { text += user }
        if password != nil { text += ":***" }
        if user != nil || password != nil { text += "@" }
        text += host.contains(":") ? "[\(host)]" : host
        if let port { text += ":\(port)" }
        if !path.isEmpty { text += "/" + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? path) }
        return text
    }
}

/// A server URL that could not be parsed.
public struct ServiceURLError: Error, CustomStringConvertible, Sendable, Equatable {
    public var url: String
    public var reason: String
    public var description: String {
        // Never echo a password back: show only the scheme and what follows the last '@'.
        "invalid URL '\(Self.redact(url))': \(reason)"
    }

    static func redact(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://"), let at = url.lastIndex(of: "@"),
              at > schemeEnd.upperBound else { return url }
        return String(url[..<schemeEnd.upperBound]) + "***@" + String(url[url.index(after: at)...])
    }
}
