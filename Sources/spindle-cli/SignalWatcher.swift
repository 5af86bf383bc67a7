import Dispatch
import Foundation
import Synchronization

/// Turns Ctrl-C (SIGINT) and SIGTERM into a request to stop after the current step, so that the
/// run can write a checkpoint and exit cleanly (status 128 + signal: 130, 143). A second signal
/// exits at once: checkpoints already on disk are complete, because they are renamed into place.
final class SignalWatcher: @unchecked Sendable {
    private let signal = Atomic<Int32>(0)
    /// Kept alive as long as the watcher; written only in `install`.
    private var sources: [DispatchSourceSignal] = []

    /// The signal received, or nil while none has been.
    var received: Int32? {
        let value = signal.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    static func install() -> SignalWatcher {
        let watcher = SignalWatcher()
        let queue = DispatchQueue(label: "spindle.signals")
        for number in [SIGINT, SIGTERM] {
            Foundation.signal(number, SIG_IGN)  // the dispatch source, not the default action, handles it
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                let (first, _) = watcher.signal.compareExchange(expected: 0, desired: number, ordering: .acquiringAndReleasing)
                guard first else { Foundation.exit(128 + number) }
                FileHandle.standardError.write(Data(
                    "\nspindle: stopping after this step to write a checkpoint (again to quit at once)\n".utf8))
            }
            source.resume()
            watcher.sources.append(source)
        }
        return watcher
    }
}
