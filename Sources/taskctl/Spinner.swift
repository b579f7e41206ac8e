import Foundation
import Synchronization

/// A one-line spinner on stderr while waiting, only on a terminal.
final class Spinner: Sendable {
    private let task: Mutex<Task<Void, Never>?>

    init(enabled: Bool, label: String) {
        guard enabled else { task = Mutex(nil); return }
        task = Mutex(Task {
            let frames = ["|", "/", "-", "\\"]
            var index = 0
            while !Task.isCancelled {
                FileHandle.standardError.write(Data("\r\(frames[index % frames.count]) \(label)".utf8))
                index += 1
                try? await Task.sleep(for: .milliseconds(120))
            }
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        })
    }

    func stop() { task.withLock { $0?.cancel(); $0 = nil } }
}
