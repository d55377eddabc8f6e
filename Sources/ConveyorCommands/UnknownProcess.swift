import ArgumentParser
import ConveyorBase
import ProcessModel

extension ValidationError {
    /// `no process 'ID' in workspace ROOT (processes: …)`, for a command given a process the
    /// workspace does not have; `suggesting` adds the closest known id. The id is the caller's
    /// argument as given (a script may pass one on from elsewhere): its control characters are
    /// escaped, so a line break or terminal escape in it is shown, not acted on.
    static func unknownProcess(_ process: String, root: String, known: [String], suggesting: Bool = false) -> ValidationError {
        let names = known.sorted()
        return ValidationError("no process '\(PrintableText.escapingControls(process))' in workspace \(root) (processes: "
            + (names.isEmpty ? "none" : names.joined(separator: ", ")) + ")"
            + (suggesting ? Suggestion.hint(for: process, in: names) : ""))
    }
}
