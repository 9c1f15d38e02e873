import ArgumentParser
import Foundation
import VecCore

extension Vecscope {
    struct Users: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Users' API tokens.", subcommands: [Token.self])
    }
}

extension Vecscope.Users {
    struct Token: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, list and revoke the bearer tokens of the HTTP API (`vecscope serve`).",
            subcommands: [Create.self, List.self, Revoke.self])
    }
}

extension Vecscope.Users.Token {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a token for a user and print it once; only its hash is stored.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "A name to tell the token apart in the list.") var name = ""
        @Flag(help: "The token may also search every user's artifacts (user_only = false).") var admin = false
        @Argument(help: "The user's external id, e.g. u01.") var user: String

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let (token, record) = try APITokenStore(connection: try database.connect()).create(
                    user: user, name: name, admin: admin)
                print(token)
                FileHandle.standardError.write(
                    Data(
                        "token \(record.id) for \(record.user)\(admin ? " (admin)" : ""): shown once; keep it secret\n"
                            .utf8))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every token: id, user, name, prefix, state.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let tokens = try APITokenStore(connection: try database.connect()).list()
                print("id\tuser\tname\tprefix\tadmin\tcreated\trevoked")
                for token in tokens {
                    let fields = [
                        String(token.id), token.user, token.name, token.prefix + "…", token.admin ? "yes" : "no",
                        token.createdAt.formatted(.iso8601), token.revokedAt?.formatted(.iso8601) ?? "-",
                    ]
                    print(fields.joined(separator: "\t"))
                }
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id; requests with it get 401.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The token's id, as `users token list` shows it.") var id: Int

        func run() throws {
            Vecscope.bootstrapLogging()
            try runReportingErrors {
                let token = try APITokenStore(connection: try database.connect()).revoke(id: id)
                print("revoked token \(token.id) (\(token.prefix)…) of \(token.user)")
            }
        }
    }
}
