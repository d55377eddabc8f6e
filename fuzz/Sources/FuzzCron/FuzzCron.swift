import FuzzDriver
import ProcessModel

/// One input: a cron expression, and a few of its fire times when it is valid.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCron(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let problem = ModelFuzzing.cron(bytes).first { fatalError(problem) }
    return 0
}

/// The process entry point: libFuzzer's driver over ``fuzzCron(_:_:)``.
@_cdecl("FuzzCron_main")
public func fuzzCronMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzCron(data, size) }
}
