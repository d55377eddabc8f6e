import ConveyorBase
import Logging

/// The host's log handler: swift-log's stream handler on stderr, with the control characters of
/// messages and metadata values escaped (``PrintableText``). Log lines carry text from documents
/// and far ends (a listener's refused answer, a database's error, a retry's reason): raw, a line
/// break in it would forge the next line of the log, and an escape would act on a terminal
/// following it.
struct OneLineLogHandler: LogHandler {
    private var base: StreamLogHandler

    init(label: String, level: Logger.Level) {
        base = StreamLogHandler.standardError(label: label)
        base.logLevel = level
    }

    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(PrintableText.escapingControls(event.message.description))"
        var metadata = event.metadata?.mapValues(Self.printable)
        if let error = event.error {
            metadata = (metadata ?? [:]).merging(["error": .string(PrintableText.escapingControls("\(error)"))]) { $1 }
            event.error = nil
        }
        event.metadata = metadata
        base.log(event: event)
    }

    static func printable(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(PrintableText.escapingControls(text))
        case .stringConvertible(let value): .string(PrintableText.escapingControls(value.description))
        case .array(let values): .array(values.map(printable))
        case .dictionary(let values): .dictionary(values.mapValues(printable))
        }
    }
}
