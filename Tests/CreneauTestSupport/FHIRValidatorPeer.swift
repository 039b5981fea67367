import Foundation

/// `scripts/fhir-validate.py`: Creneau's FHIR output read by two validators nobody on the
/// project wrote — fhirkit (R4 core) and pyfhircheck (the ANS GAP 3.0.0 profiles, from the
/// package in `../shared/standards/`) —, fetched by `scripts/fetch-fhir-validator.sh`.
public enum FHIRValidatorPeer {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let library = root.appendingPathComponent(".build/fhir-validator")
    public static let gapPackage = root.deletingLastPathComponent().appendingPathComponent("shared/standards/ans-fhir-gap-3.0.0.tgz")

    public static var available: Bool {
        Peers.python3 && FileManager.default.fileExists(atPath: library.appendingPathComponent(".complete").path)
            && FileManager.default.fileExists(atPath: gapPackage.path)
    }

    public static let missing = "needs the FHIR validators (run scripts/fetch-fhir-validator.sh, or scripts/test) and ../shared/standards/ans-fhir-gap-3.0.0.tgz"

    /// Validates every `.json` file of `directory`: the exit status and what the validators said.
    /// `allowing`: extensions defined outside the GAP package (SMART's), accepted by their URL.
    public static func validate(_ directory: URL, allowing extensions: [String] = []) async throws -> (status: Int32, report: String) {
        let run = try await ChildProcess.python([root.appendingPathComponent("scripts/fhir-validate.py").path] + extensions.flatMap { ["--allow-extension", $0] }
                                                + [gapPackage.path, directory.path], pythonPath: library.path)
        return (run.status, run.text)
    }
}
