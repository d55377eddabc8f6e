import FuzzDriver
import DocumentMapping
import ProcessEngine
import ProcessModel

/// One input: a document path (first line, applied to the JSON after it), an interpolated text
/// and a text with `${…}` references.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPaths(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let problems = MappingFuzzing.path(bytes) + EngineFuzzing.interpolation(bytes) + ModelFuzzing.substitution(bytes)
    if let problem = problems.first { fatalError(problem) }
    return 0
}

/// The process entry point: libFuzzer's driver over ``fuzzPaths(_:_:)``.
@_cdecl("FuzzPaths_main")
public func fuzzPathsMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzPaths(data, size) }
}
