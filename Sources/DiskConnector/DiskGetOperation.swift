import Foundation
import ProcessEngine

/// `action="get"`: every file matching the pattern, read in blocks and split into documents
/// that are handed over in chunks, so memory stays bounded whatever the file size
/// (except with `split by="none"`, where the file is one document).
struct DiskGetOperation: ConnectorOperation {
    var directory: String
    var pattern: String
    var split: DiskSplit
    /// `csv-rows` only: the first record is a header repeated in every document.
    var header = false
    var deleteAfterRead: Bool
    /// Documents handed over at a time (every chunk but a file's last holds exactly this many);
    /// nil: the context's ``OperationContext/chunkSize``.
    var chunkSize: Int?
    /// Bytes read from the file at a time: a quarter of a megabyte, so the buffer's pages (each
    /// faulted in once, at about 3 µs a page here) cost 0.2 ms, not the 0.7 ms of a megabyte, and
    /// stay in the cache; reading a 34 MB file takes 136 reads instead of 34.
    var blockSize = 1 << 18
    /// Bytes given to the splitter at a time, so a chunk is handed over soon after it fills.
    var sliceSize = 1 << 16

    /// Reading changes nothing unless files are deleted after reading.
    var readsWithoutSideEffects: Bool { !deleteAfterRead }

    func read(context: OperationContext, emit: ([Document]) async throws -> Void) async throws {
        try await readInPlace(context: context, handOver: { (documents: inout [Document]) in try await emit(documents) })
    }

    func readInPlace(context: OperationContext, handOver: (inout [Document]) async throws -> Void) async throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw DiskError("cannot list directory \(directory): \(error.localizedDescription)")
        }
        for name in names.sorted() where fnmatch(pattern, name, 0) == 0 {
            let path = directory + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            guard DiskConnector.staysInside(path, directory: directory) else {
                throw DiskError("\(path) is a symbolic link to a file outside the connection's directory; it is not read")
            }
            let properties = ["disk.fileName": name, "disk.directory": directory]
            var splitter = split.splitter(file: path, properties: properties, header: header)
            try await read(path, with: &splitter, chunk: context.chunkSize, handOver: handOver)
            if deleteAfterRead {
                do { try FileManager.default.removeItem(atPath: path) } catch {
                    throw DiskError("read \(path) but could not delete it: \(error.localizedDescription)")
                }
            }
        }
    }

    /// Reads one file through `splitter`, handing a chunk over whenever it is full.
    func read(_ path: String, with splitter: inout any FileSplitter, chunk: Int,
              handOver: (inout [Document]) async throws -> Void) async throws {
        let chunkSize = max(1, chunkSize ?? chunk)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw DiskError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { _ = Glibc.close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: max(1, blockSize))
        var documents: [Document] = []
        documents.reserveCapacity(chunkSize + 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw DiskError("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            var offset = 0
            while offset < count {
                let end = min(offset + max(1, sliceSize), count)
                // A splitter that stops at the chunk's size leaves the rest of the slice for the
                // next chunk; one that does not leaves the documents past it (moved below).
                let used = try buffer.withUnsafeBufferPointer { bytes throws(DiskError) in
                    try splitter.consume(UnsafeBufferPointer(rebasing: bytes[offset..<end]), into: &documents,
                                         upTo: chunkSize)
                }
                // Stopped at the chunk's size: the chunk goes below, and the slice's rest is read next.
                guard used > 0 || documents.count >= chunkSize else {
                    throw DiskError("cannot split \(path): the splitter stopped without a document")
                }
                offset += used
                while documents.count >= chunkSize {
                    // Exactly `chunkSize` go; the slice's overflow starts the next chunk, so a
                    // connector batching by `<batchCount>` gets full batches, not a full one and a
                    // slice's worth.
                    var overflow: [Document] = []
                    if documents.count > chunkSize {
                        overflow.reserveCapacity(chunkSize + 1024)
                        overflow.append(contentsOf: documents[chunkSize...])
                        documents.removeSubrange(chunkSize...)
                    }
                    try await handOver(&documents)
                    splitter.recycle(&documents)
                    if documents.capacity < chunkSize { documents.reserveCapacity(chunkSize + 1024) }
                    documents.append(contentsOf: overflow)
                }
            }
        }
        try splitter.finish(into: &documents)
        if !documents.isEmpty { try await handOver(&documents) }
    }
}
