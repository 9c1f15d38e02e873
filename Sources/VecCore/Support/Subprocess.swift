import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion and captures its output in a file.
///
/// posix_spawn + waitpid rather than Foundation's Process: `pg_ctl start` leaves a server running that would
/// inherit Process's bookkeeping descriptors and keep it waiting; here every descriptor above stderr is closed
/// in the child, and only the program itself is waited for.
struct Subprocess {
    struct Outcome {
        var status: Int32
        var output: String
        var succeeded: Bool { status == 0 }
    }

    /// `runAs` runs the program as that system user through `runuser` (we are root then). `onOutput` receives the
    /// output as it is written (a few times a second), for a long program's progress.
    static func run(
        _ executable: String, _ arguments: [String], runAs user: String? = nil,
        timeout: TimeInterval = 120, onOutput: ((String) -> Void)? = nil
    ) throws -> Outcome {
        let argv =
            user.map { ["/usr/sbin/runuser", "-u", $0, "--", executable] + arguments } ?? [executable] + arguments
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vecscope-\(UUID().uuidString).out"
        ).path
        defer { unlink(outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        markDescriptorsCloseOnExec()

        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else {
            throw VecscopeError(
                what: "could not run \(argv[0])", why: String(cString: strerror(spawned)),
                fix: "Check that the file exists and is executable; `make setup` installs vecscope's dependencies.")
        }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        var reader = onOutput.map { OutputFollower(path: outputPath, deliver: $0) }
        defer { reader?.close() }
        var polls = 0
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            polls += 1
            if polls % 20 == 0 { reader?.readNew() }
            if waited < 0 && errno != EINTR {
                throw VecscopeError(what: "lost track of \(argv[0])", why: String(cString: strerror(errno)))
            }
            if Date() > deadline {
                kill(pid, SIGTERM)
                _ = waitpid(pid, &status, 0)
                throw VecscopeError(
                    what:
                        "\(URL(fileURLWithPath: executable).lastPathComponent) did not finish within \(Int(timeout)) s",
                    why: "it may be waiting on a lock or a slow disk",
                    fix: "Try again; see the server log under VECSCOPE_HOME.")
            }
            usleep(10_000)
        }
        reader?.readNew()
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS are macros: decode the wait status by hand.
        let exitCode: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Outcome(status: exitCode, output: output)
    }

    /// Hands on what a running program appended to its output file since the last look.
    private struct OutputFollower {
        let handle: FileHandle?
        let deliver: (String) -> Void

        init(path: String, deliver: @escaping (String) -> Void) {
            handle = FileHandle(forReadingAtPath: path)
            self.deliver = deliver
        }

        mutating func readNew() {
            guard let data = try? handle?.readToEnd(), !data.isEmpty else { return }
            deliver(String(decoding: data, as: UTF8.self))
        }

        func close() { try? handle?.close() }
    }

    /// Sets FD_CLOEXEC on every descriptor above stderr, so no socket or pipe of ours leaks into a server we start.
    private static func markDescriptorsCloseOnExec() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for entry in entries {
            guard let fd = Int32(entry), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}
