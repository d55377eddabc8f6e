import ProcessModel

extension ExecutionRun {
    /// Runs the called process with the documents; its returned documents (or, when it has no
    /// returnDocuments shape or `wait="false"`, the inputs) continue at `next`.
    func runProcessCall(shape: ShapeDefinition, _ call: ProcessCallDefinition, documents: [Document],
                        next: String) async throws {
        guard callDepth < ProcessRunner.maximumCallDepth else {
            for document in documents {
                fail(document, at: shape, message: "process call '\(call.process)': more than "
                     + "\(ProcessRunner.maximumCallDepth) nested process calls (a process calls itself?)", code: .process)
            }
            return
        }
        guard let callee = runner.workspace.processes[call.process] else {
            for document in documents { fail(document, at: shape, message: "no process with id '\(call.process)'", code: .process) }
            return
        }
        await flushTraces()
        let (child, returned) = await runner.runCalled(callee, inputs: documents, parent: info,
                                                       callDepth: callDepth + 1)
        if child.status == .error {
            let reason = child.error ?? "it ended with status ERROR"
            for document in documents {
                fail(document, at: shape, message: "process call '\(call.process)' (execution \(child.info.id)) failed: \(reason)",
                     code: .processCall)
            }
            return
        }
        if child.status == .completeWarn {
            warnings += 1
            execution.userLog.append("process call '\(call.process)' (execution \(child.info.id)) ended COMPLETE_WARN")
        }
        var outputs = documents
        if call.wait, let returned {
            outputs = returned.map { document in
                var document = document
                document.index = newIndex()
                return document
            }
        }
        tally(shape.id) { $0.documentsOut += outputs.count }
        try await push(outputs, to: next)
    }
}
