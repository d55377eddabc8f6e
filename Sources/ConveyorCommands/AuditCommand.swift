import ArgumentParser
import ExecutionStore
import Foundation

/// `conveyor audit verify` and `conveyor audit purge --retention 90d`.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the hash chain of tracked-field records, and purge old executions.",
        subcommands: [Verify.self, Purge.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Walk the audit hash chain and report the first broken link.",
            discussion: "Exits 1 when a record was changed, deleted, inserted or moved, the end of the chain was cut "
                + "off, or (with the audit key) a signature does not match."
        )

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        @OptionGroup var options: WorkspaceOptions

        func run() async throws {
            let result: ChainVerification
            do {
                result = try options.openStore().verifyChain()
            } catch let error as StoreError {
                Terminal.error("error: \(error)")
                throw ExitCode(1)
            }
            if json {
                var object: [String: Any] = ["intact": result.isIntact, "recordsChecked": result.recordsChecked,
                                             "headSequence": result.headSequence, "headHash": result.headHash,
                                             "signaturesChecked": result.signaturesChecked, "notes": result.notes]
                if let checkpoint = result.checkpoint {
                    object["checkpoint"] = ["id": checkpoint.id, "lastSequence": checkpoint.lastSequence,
                                            "lastChainHash": checkpoint.lastChainHash,
                                            "createdAt": ExecutionReport.timestamp.string(from: checkpoint.createdAt)]
                }
                if let broken = result.firstBreak {
                    var detail: [String: Any] = ["kind": broken.kind.rawValue, "executionId": broken.executionID,
                                                 "field": broken.field, "record": broken.record,
                                                 "message": broken.description]
                    if let sequence = broken.sequence { detail["sequence"] = sequence }
                    object["firstBreak"] = detail
                }
                Terminal.line(ExecutionReport.encode(object))
            } else {
                if let broken = result.firstBreak {
                    Terminal.line("BROKEN: \(broken)")
                    let before = broken.sequence == nil ? result.recordsChecked : result.recordsChecked - 1
                    Terminal.line("\(before) records before it verified")
                } else {
                    var line = "OK: \(result.recordsChecked) records verified, head \(result.headSequence) \(result.headHash)"
                    if let checkpoint = result.checkpoint {
                        line += " (from checkpoint \(checkpoint.id) at record \(checkpoint.lastSequence))"
                    }
                    Terminal.line(line)
                }
                for note in result.notes { Terminal.line("note: \(note)") }
                Terminal.line(result.signaturesChecked ? "signatures: checked with the audit key"
                    : "signatures: not checked (no audit key; give --audit-key '${secret:NAME}' or set the secret AUDIT_KEY)")
            }
            if !result.isIntact { throw ExitCode(1) }
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "purge",
            abstract: "Delete finished executions older than the retention period, keeping the chain verifiable.",
            discussion: "Example: conveyor audit purge --retention 90d"
        )

        @Option(name: .long, help: "How long to keep executions: 90d, 12h, 30m or 4w.")
        var retention: String

        @OptionGroup var options: WorkspaceOptions

        func run() async throws {
            guard let period = RetentionPeriod(retention) else {
                throw ValidationError("--retention '\(retention)' must be a positive number and a unit (90d, 12h, 30m or 4w) "
                    + "from \(RetentionPeriod.allowedRange)")
            }
            let checkpoint: AuditCheckpoint
            do {
                checkpoint = try options.openStore().purge(retention: period)
            } catch let error as StoreError {
                Terminal.error("error: \(error)")
                throw ExitCode(1)
            }
            Terminal.line("purged \(checkpoint.executionsPurged) executions, \(checkpoint.documentsPurged) documents, "
                + "\(checkpoint.recordsPurged) tracked records started before "
                + ExecutionReport.timestamp.string(from: checkpoint.cutoff))
            Terminal.line("checkpoint \(checkpoint.id): record \(checkpoint.lastSequence) \(checkpoint.lastChainHash)")
        }
    }
}
