import ConveyorCommands
#if canImport(Glibc)
import CMalloc
import Glibc
#endif

@main
struct Entrypoint {
    static func main() async {
        MemoryTuning.apply()
        await ConveyorCLI.main()
    }
}

/// glibc's allocator, set for batches of documents (see docs/development.md, "Memory").
///
/// By default glibc serves an allocation from 128 KiB up (raised as such blocks are freed, to at most
/// 32 MiB) with its own `mmap`, and gives the top of the heap back to the kernel once 128 KiB of it is
/// free. A run moves its documents in batches of a few megabytes, allocated and freed over and over:
/// each batch's memory was mapped anew and every page of it faulted in again (page faults were 5 % of
/// storage-write's cycles). With blocks below 4 MiB kept in the heap and 8 MiB of free heap kept,
/// the same memory is reused. One heap (arena) for every thread: a batch's buffers are allocated on
/// whichever thread the task runs on, and with an arena a thread each arena grew its own copy of the
/// working set (about 1,200 more pages faulted in over 200,000 storage-write rows). Small blocks
/// still come from each thread's own cache, without the heap's lock. glibc's own settings
/// (`GLIBC_TUNABLES` naming `glibc.malloc.`, or any `MALLOC_` variable) win: nothing is changed when
/// one is set.
enum MemoryTuning {
    static let mmapThreshold: Int32 = 4 << 20
    static let trimThreshold: Int32 = 8 << 20
    static let arenas: Int32 = 1

    static func apply() {
        #if canImport(Glibc)
        if setByUser() { return }
        _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
        _ = mallopt(M_TRIM_THRESHOLD, trimThreshold)
        _ = mallopt(M_ARENA_MAX, arenas)
        #endif
    }

    #if canImport(Glibc)
    /// Whether the environment sets glibc's allocator itself.
    private static func setByUser() -> Bool {
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if text.hasPrefix("MALLOC_") { return true }
            if text.hasPrefix("GLIBC_TUNABLES="), text.contains("glibc.malloc.") { return true }
            entry += 1
        }
        return false
    }
    #endif
}
