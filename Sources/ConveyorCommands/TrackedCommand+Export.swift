import ArgumentParser
import ExecutionStore
import Foundation

extension TrackedCommand {
    /// `conveyor tracked export --format csv|jsonl`: streams tracked-field records.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Export tracked-field records with their chain hashes as CSV or JSON Lines.",
            discussion: """
                --field NAME=VALUE keeps every record of the documents whose field NAME has VALUE.
                Times are UTC, e.g. 2024-05-01 or 2024-05-01T12:00:00Z; --from is inclusive, --to exclusive.
                Example: conveyor tracked export --format csv --process orders --from 2024-05-01 --output may.csv
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case csv, jsonl
        }

        @Option(name: .long, help: "csv (RFC 4180, with a header line) or jsonl (one JSON object per line).")
        var format: Format

        @Option(name: .long, help: "NAME=VALUE: only the documents whose tracked field has this value.")
        var field: String?

        @Option(name: .long, help: "Only executions of this process id.")
        var process: String?

        @Option(name: .long, help: "Only documents recorded at or after this UTC time.")
        var from: String?

        @Option(name: .long, help: "Only documents recorded before this UTC time.")
        var to: String?

        @Option(name: .long, help: "Write to this file instead of standard output.")
        var output: String?

        @OptionGroup var options: WorkspaceOptions

        func run() async throws {
            var filter = TrackedExportFilter(processID: process)
            if let field {
                filter.field = try TrackedCommand.fieldFilter(field)
                if let name = filter.field?.name { try options.checkTrackedField(name) }
            }
            filter.from = try from.map { try Self.time($0, option: "--from") }
            filter.to = try to.map { try Self.time($0, option: "--to") }
            let file = try output.map { try OutputFile($0, storePath: options.storePath) }
            do {
                let store = try options.openStore()
                var writer = BufferedWriter(handle: file?.handle ?? FileHandle.standardOutput)
                let csv = format == .csv
                if csv { try writer.write(TrackedRecord.csvHeader) }
                let count = try store.exportTracked(filter) { record in
                    try writer.write(csv ? record.csvLine : record.jsonLine)
                }
                try writer.flush()
                if let file, let output {
                    try file.commit()
                    Terminal.error("exported \(count) records to \(output)")
                }
            } catch let error as StoreError {
                file?.discard()
                Terminal.error("error: \(error)")
                throw ExitCode(1)
            } catch {
                file?.discard()
                throw error
            }
        }

        /// Parses `2024-05-01`, `2024-05-01T12:00:00Z` or `2024-05-01T12:00:00.250Z` (UTC).
        static func time(_ text: String, option: String) throws -> Date {
            let full = ISO8601DateFormatter()
            if let date = full.date(from: text) { return date }
            full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = full.date(from: text) { return date }
            full.formatOptions = [.withFullDate]
            if let date = full.date(from: text) { return date }
            throw ValidationError("\(option) '\(text)' is not a UTC time like 2024-05-01 or 2024-05-01T12:00:00Z")
        }
    }
}
