import Foundation

/// Runs another program to its end for a test — the `creneau` executable, Python peers, psql,
/// zbar, openssl — on a thread of its own. Waiting for a child blocks a thread; done on the
/// tests' cooperative pool (two threads on a two-core machine) it would stall every other test
/// in the process meanwhile, and a stalled transaction holds SQLite's writer lock long enough
/// for another connection's busy timeout to lapse ("database is locked").
public enum ChildProcess {
    public struct Finished: Sendable {
        public let status: Int32
        /// Standard output, followed by standard error unless they were asked apart.
        public let output: Data
        public let errors: Data
        public var text: String { String(decoding: output, as: UTF8.self) }
        public var errorText: String { String(decoding: errors, as: UTF8.self) }
    }

    /// `executable arguments…`, in `directory`, with `environment` (the tests' own when nil),
    /// `input` on its standard input (or the file at `inputFile`), stopped after `timeout` seconds.
    public static func run(_ executable: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil,
                           input: Data? = nil, inputFile: String? = nil, separateErrors: Bool = false,
                           timeout: Double = 300) async throws -> Finished {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try runHere(executable, arguments, in: directory, environment: environment, input: input, inputFile: inputFile,
                                separateErrors: separateErrors, timeout: timeout)
                })
            }
        }
    }

    /// `/usr/bin/python3 arguments…`, with `pythonPath` added to its module path.
    public static func python(_ arguments: [String], pythonPath: String? = nil, input: Data? = nil, separateErrors: Bool = false,
                              timeout: Double = 300) async throws -> Finished {
        var environment = ProcessInfo.processInfo.environment
        if let pythonPath { environment["PYTHONPATH"] = pythonPath }
        return try await run(URL(fileURLWithPath: "/usr/bin/python3"), arguments, environment: environment, input: input,
                             separateErrors: separateErrors, timeout: timeout)
    }

    private static func runHere(_ executable: URL, _ arguments: [String], in directory: URL?, environment: [String: String]?,
                                input: Data?, inputFile: String?, separateErrors: Bool, timeout: Double) throws -> Finished {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let output = Pipe(), errors = separateErrors ? Pipe() : output
        process.standardOutput = output
        process.standardError = errors
        let feed = input.map { _ in Pipe() }
        if let feed { process.standardInput = feed } else if let inputFile { process.standardInput = FileHandle(forReadingAtPath: inputFile) }
        try process.run()
        let deadline = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: deadline)
        defer { deadline.cancel() }
        // Standard input and error are served from other threads: a child that fills one pipe while
        // this thread waits on another would otherwise wait forever.
        let group = DispatchGroup()
        if let feed, let input {
            DispatchQueue.global().async(group: group) {
                feed.fileHandleForWriting.write(input)
                try? feed.fileHandleForWriting.close()
            }
        }
        let errorBytes = ErrorBytes()
        if separateErrors {
            DispatchQueue.global().async(group: group) { errorBytes.data = errors.fileHandleForReading.readDataToEndOfFile() }
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Finished(status: process.terminationStatus, output: data, errors: errorBytes.data)
    }

    private final class ErrorBytes: @unchecked Sendable {
        var data = Data()
    }
}
