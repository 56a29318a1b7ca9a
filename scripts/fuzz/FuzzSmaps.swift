// libFuzzer entry point for the smaps parser: any bytes must parse or be
// refused with a located SmapsError, never crash, trap or hang.
import Smaps

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSmaps(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let snapshot = try? SmapsSnapshot(parsing: bytes, source: "fuzz") {
        // Exercise the model over whatever parsed.
        _ = snapshot.total("Rss")
        if let first = snapshot.mappings.first {
            _ = snapshot.mapping(containing: first.start)
            _ = snapshot.mappings(overlapping: first.start..<first.end)
        }
    }
    return 0
}
