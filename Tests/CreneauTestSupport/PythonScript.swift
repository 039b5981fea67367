import Foundation

/// A Python script of the peers' (validators, fuzzers), run by Debian's python3 with the
/// libraries a fetch script put in `.build/` on its path; bounded in time.
public enum PythonScript {
    /// Runs `/usr/bin/python3 arguments…` to its end (stopped after `timeout` seconds): the exit
    /// status and everything it printed.
    public static func run(_ arguments: [String], pythonPath: String? = nil, timeout: Double = 300) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        if let pythonPath { environment["PYTHONPATH"] = pythonPath }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let deadline = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: deadline)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        deadline.cancel()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The same on a thread of its own, for async tests (the cooperative pool is not blocked).
    public static func running(_ arguments: [String], pythonPath: String? = nil, timeout: Double = 300) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try run(arguments, pythonPath: pythonPath, timeout: timeout) }) }
        }
    }
}
