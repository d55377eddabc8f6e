import ArgumentParser
import ConveyorBase
import ExecutionStore
import Foundation

/// `conveyor store migrate --to postgres://…`.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Move the execution store.",
        subcommands: [Migrate.self]
    )

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Copy the workspace's SQLite execution store into an empty PostgreSQL database.",
            discussion: """
                Copies every execution, document, tracked value, audit record and checkpoint, persisted property, \
                write checkpoint and schedule fire time with its id, in one transaction (all or nothing), then \
                verifies the audit chain on the target. Refused when the target already holds rows or an execution \
                is still INPROCESS. The SQLite store is left as it was.
                Example: conveyor store migrate --to postgres://conveyor@db.example.com/conveyor
                Exit codes: 0 copied and verified, 1 refused, failed or the target does not verify, 2 usage.
                """
        )

        @Option(name: .long,
                help: ArgumentHelp("The PostgreSQL store to copy into: postgres://USER@HOST:PORT/DB[?sslmode=…&sslrootcert=FILE] "
                                   + "(password from the secret STORE_PASSWORD or PGPASSWORD).", valueName: "url"))
        var to: String

        // The workspace options without --store: the source is always the workspace's SQLite store.
        @Option(name: .long, help: "The workspace whose .conveyor/executions.sqlite is copied. Default: the current directory.")
        var workspace: String = "."

        @Option(name: .customLong("audit-key"),
                help: ArgumentHelp("The secret the store's chain is signed with, to check the signatures on the target, as "
                                   + "${secret:NAME}. Default: ${secret:AUDIT_KEY} when that secret is set.",
                                   valueName: "${secret:NAME}"))
        var auditKey: String?

        func run() async throws {
            let options = try WorkspaceOptions.parse(["--workspace=\(workspace)"] + (auditKey.map { ["--audit-key=\($0)"] } ?? []))
            guard PostgresLocation.isURL(to) else {
                throw ValidationError("--to takes a postgres://USER@HOST:PORT/DB URL")
            }
            let target = try options.postgresLocation(url: to, option: "--to")
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: options.root, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("no workspace at \(options.root): the directory does not exist")
            }
            let sourcePath = options.storePath
            guard FileManager.default.fileExists(atPath: sourcePath) else {
                Terminal.error("error: no execution store at \(sourcePath): nothing to migrate (is --workspace the "
                               + "workspace that ran the executions?)")
                throw ExitCode(1)
            }
            let key = try options.resolvedAuditKey()
            let report: StoreMigration.Report
            do {
                // Opened as every command opens it: migrated to the current schema, orphans marked ABORTED.
                let source = try ExecutionStore(path: sourcePath, auditKey: key)
                try source.abortOrphaned()
                Terminal.error("migrating \(sourcePath) into \(target)")
                report = try StoreMigration.run(from: source, to: target) { Self.show($0) }
            } catch let error as StoreError {
                Terminal.error("error: \(error)")
                throw ExitCode(1)
            }
            Self.summarise(report, from: sourcePath, to: target)
            if !report.verification.isIntact { throw ExitCode(1) }
        }

        /// Progress on stderr: each table when done, and big tables every tenth of the way.
        static func show(_ progress: StoreMigration.Progress) {
            switch progress {
            case .started:
                break
            case .copied(let table, let copied, let rows):
                let step = max(rows / 10, 1)
                if rows >= 10 * StoreMigration.defaultBatchRows, copied < rows,
                   copied / step != (copied - min(copied, StoreMigration.defaultBatchRows)) / step {
                    Terminal.error("  \(table): \(copied) of \(rows) rows")
                }
            case .finished(let table, let rows, let seconds):
                Terminal.error("  \(table): \(rows) row\(rows == 1 ? "" : "s") copied in \(Self.format(seconds)) s")
            }
        }

        static func summarise(_ report: StoreMigration.Report, from source: String, to target: PostgresLocation) {
            let rate = Int(report.rowsPerSecond.rounded())
            Terminal.line("copied \(report.totalRows) rows from \(source) into \(target) in \(format(report.seconds)) s "
                          + "(\(rate) rows/s)")
            let width = report.tables.map(\.table.count).max() ?? 0
            for table in report.tables {
                Terminal.line("  " + table.table.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(table.rows)")
            }
            let result = report.verification
            if let broken = result.firstBreak {
                Terminal.line("audit verify on the target: BROKEN: \(broken)")
                if let source = report.sourceVerification {
                    Terminal.line(source.isIntact
                        ? "the source verifies: the copy differs from it; drop the target database and report this"
                        : "the source is broken too (\(source.firstBreak.map { "\($0)" } ?? "")): the copy is faithful; "
                            + "see conveyor audit verify")
                }
            } else {
                Terminal.line("audit verify on the target: OK: \(result.recordsChecked) records verified, "
                              + "head \(result.headSequence) \(result.headHash)")
                Terminal.line("use it with --store \(target) or CONVEYOR_STORE=\(target); the SQLite store is unchanged")
            }
            for note in result.notes { Terminal.line("note: \(note)") }
            Terminal.line(result.signaturesChecked ? "signatures: checked with the audit key"
                : "signatures: not checked (no audit key; give --audit-key '${secret:NAME}' or set the secret AUDIT_KEY)")
        }

        static func format(_ seconds: Double) -> String {
            FixedDecimal.string(seconds, places: 2)
        }
    }
}
