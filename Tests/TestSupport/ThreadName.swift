import Foundation

/// The calling thread's name as the kernel knows it (at most 15 bytes): `amqp-…` / `redis …`
/// for the clients' owner threads.
public func currentThreadName() -> String {
    // pthread_getname_np is not visible to Swift's Glibc module; /proc has the same name.
    let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
    return name.trimmingCharacters(in: .newlines)
}

/// The calling thread's kernel id (unique among the process's live threads, unlike its name).
public func currentThreadID() -> Int {
    // /proc/thread-self links to "<pid>/task/<tid>".
    let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? ""
    return Int(target.split(separator: "/").last ?? "") ?? -1
}
