import FuzzDriver
import DocumentMapping
import ProcessModel
import Synchronization

/// The loader keeps its compiled schemas between inputs.
private let fuzzer = Mutex(ComponentFuzzer())

/// One input: a workspace component file, then the same bytes as a document without a profile.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLoader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let problems = fuzzer.withLock { $0.run(bytes) } + MappingFuzzing.untypedXML(bytes)
    if let problem = problems.first { fatalError(problem) }
    return 0
}

/// The process entry point: libFuzzer's driver over ``fuzzLoader(_:_:)``.
@_cdecl("FuzzLoader_main")
public func fuzzLoaderMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzLoader(data, size) }
}
