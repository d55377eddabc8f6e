import ExecutionStore
import Foundation
import ProcessDiagram
import ProcessModel

extension ReportingPages {
    /// The diagram of `process` as an inline SVG element in a scrolling box.
    ///
    /// ``ProcessDiagram`` escapes every text it draws (shape ids, details, annotations) and passes
    /// each through the workspace's secret ``redactor``, and draws no script or external reference,
    /// so its markup is inserted as it is.
    func diagram(of process: ProcessDefinition, annotations: [String: ShapeAnnotation] = [:],
                 small: Bool = false, id: String = "diagram") -> HTML {
        let svg = ProcessDiagram.svg(for: process, annotations: annotations, redactor: redactor)
        let classes = small ? "diagram diagram-small" : "diagram"
        return "<div class=\"\(classes)\" id=\"\(id)\">\(HTML(markup: svg))</div>"
    }

    /// The process diagram of an execution, each shape annotated with its document counts; a
    /// note instead when the process is no longer in the workspace.
    func executionDiagram(_ execution: ExecutionRecord, deadLettered: [String: Int]) -> HTML {
        guard let process = workspace.processes[execution.processID] else {
            return "<p class=\"muted\" id=\"no-diagram\">Process <code>\(execution.processID)</code> is no longer "
                + "in the workspace, so its diagram cannot be drawn; the shapes below are as recorded.</p>"
        }
        return diagram(of: process, annotations: Self.annotations(execution.shapeCounts, deadLettered: deadLettered),
                       id: "execution-diagram")
    }

    /// Each counted shape's documents in, out, failed and dead-lettered, as `12 in, 10 out, 2 failed`:
    /// class `failed` for a shape where documents failed, `warn` for one that only dead-lettered
    /// documents, `ok` otherwise.
    static func annotations(_ counts: [ShapeCount], deadLettered: [String: Int]) -> [String: ShapeAnnotation] {
        var annotations: [String: ShapeAnnotation] = [:]
        for count in counts {
            let dead = deadLettered[count.shapeID] ?? 0
            var text = "\(count.documentsIn) in, \(count.documentsOut) out"
            if count.documentsError > 0 { text += ", \(count.documentsError) failed" }
            if dead > 0 { text += ", \(dead) dead-lettered" }
            let cssClass = count.documentsError > 0 ? "failed" : dead > 0 ? "warn" : "ok"
            annotations[count.shapeID] = ShapeAnnotation(text: text, cssClass: cssClass)
        }
        for (shape, dead) in deadLettered where annotations[shape] == nil && dead > 0 {
            annotations[shape] = ShapeAnnotation(text: "\(dead) dead-lettered", cssClass: "warn")
        }
        return annotations
    }
}
