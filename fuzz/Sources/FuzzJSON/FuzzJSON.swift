import FuzzDriver
import DocumentMapping
import Synchronization

private let scratch = Mutex(FastJSONMap.Scratch())

/// One input: a JSON document for the parser, the serialiser and the byte-level map path.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let problems = scratch.withLock { MappingFuzzing.json(bytes, scratch: &$0) }
    if let problem = problems.first { fatalError(problem) }
    return 0
}

/// The process entry point: libFuzzer's driver over ``fuzzJSON(_:_:)``.
@_cdecl("FuzzJSON_main")
public func fuzzJSONMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzJSON(data, size) }
}
