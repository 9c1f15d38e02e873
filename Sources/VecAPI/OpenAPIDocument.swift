import Foundation
import VecCore

/// The committed OpenAPI 3.1 document (`Sources/VecAPI/openapi.json`), served at `/openapi.json`. It is installed
/// beside the binary as SwiftPM's resource bundle; looked up by hand, because the generated `Bundle.module`
/// crashes the process when the bundle is missing.
enum OpenAPIDocument {
    static let bundleName = "vecscope_VecAPI.resources"

    static func text() throws -> String {
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let candidates = [
            Bundle.main.bundleURL, executable.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent(bundleName).appendingPathComponent("openapi.json") }
        for candidate in candidates {
            if let data = FileManager.default.contents(atPath: candidate.path) {
                return String(decoding: data, as: UTF8.self)
            }
        }
        throw VecscopeError(
            what: "the OpenAPI document is not installed",
            why: "\(bundleName)/openapi.json is not next to the vecscope binary",
            fix: "Keep the build directory's \(bundleName) folder beside the binary (swift build puts it there).")
    }
}
