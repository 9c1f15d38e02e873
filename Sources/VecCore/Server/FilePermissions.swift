import Foundation

/// The few permission changes running as root needs, each named for what it grants.
enum FilePermissions {
    static func mode(of path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
    }

    /// Adds o+x (enter, not list or read) to every existing directory from `/` down to `url`.
    static func allowTraversal(toReach url: URL) throws {
        var path = ""
        for component in url.standardizedFileURL.pathComponents.dropFirst() {
            path += "/" + component
            guard let mode = mode(of: path) else { return }
            if mode & 0o001 == 0 {
                guard chmod(path, mode | 0o001) == 0 else {
                    throw VecscopeError(
                        what: "could not open \(path) for traversal by \(EmbeddedPostgres.systemUser)",
                        why: String(cString: strerror(errno)),
                        fix: "Set VECSCOPE_HOME to a directory outside /root, e.g. /var/lib/vecscope.")
                }
            }
        }
    }

    static func changeOwner(of url: URL, toUser user: String) throws {
        guard let entry = getpwnam(user) else {
            throw VecscopeError(what: "no system user \(user)", fix: "Create it with useradd --system \(user).")
        }
        guard chown(url.path, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
            throw VecscopeError(what: "could not give \(url.path) to \(user)", why: String(cString: strerror(errno)))
        }
    }
}
