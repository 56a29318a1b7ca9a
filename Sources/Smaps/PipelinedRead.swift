// Reading and parsing at the same time.
//
// For a live process the kernel spends its time in read(2) generating smaps
// text (~36 ms for 10,000 mappings); parsing in the same thread adds its own
// time on top. Here a reader thread keeps calling read(2) into a ring of
// buffers while the calling thread parses the filled ones, so on two cores
// the parse hides behind the kernel's work. An input that fits in the first
// buffer never starts the thread.
//
// procfs returns at most about one page per read(2) of smaps (seq_file fills
// one buffer per call), so a buffer is handed over only when it is nearly
// full: one hand-over per ~256 KiB, not one per 4 KiB read.
//
// Small regular files (saved snapshots) are read in this thread: the page
// cache copies them faster than a thread starts. Large ones (from 16 MiB)
// read ahead too, in 1 MiB slots: the copy out of the page cache (~4 ms for
// 72 MB) is otherwise added in full to the ~30 ms of parsing. 1 MiB slots
// mean ~70 hand-overs; with 256 KiB slots (~280) the gain was 1-3 ms smaller.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The state shared by the reader thread and the parsing thread; every field
/// is guarded by `mutex`, except the buffers' bytes, which belong to one side
/// at a time (the reader until it marks a slot full, the parser until it
/// marks it free).
private final class ReadRing: @unchecked Sendable {
    let fd: Int32
    let slots: Int
    let slotSize: Int
    let memory: UnsafeMutableRawPointer
    var lengths: [Int]
    /// Slots filled and not yet parsed, in order starting at `head`.
    var filled = 0
    var head = 0
    /// The reader reached end of file (or failed with `errno`).
    var done = false
    var errno: Int32 = 0
    /// The parser gave up (threw): the reader should stop.
    var cancelled = false
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(fd: Int32, slots: Int, slotSize: Int, memory: UnsafeMutableRawPointer) {
        self.fd = fd
        self.slots = slots
        self.slotSize = slotSize
        self.memory = memory
        lengths = [Int](repeating: 0, count: slots)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        pthread_cond_destroy(changed)
        mutex.deallocate()
        changed.deallocate()
    }

    func slot(_ i: Int) -> UnsafeMutableRawPointer { memory + i * slotSize }

    /// The reader thread's loop.
    func readAll(startingAt first: Int) {
        var next = first
        while true {
            pthread_mutex_lock(mutex)
            while filled == slots && !cancelled { pthread_cond_wait(changed, mutex) }
            let stop = cancelled
            pthread_mutex_unlock(mutex)
            if stop { return }
            let (n, end) = fillSlot(fd, slot(next), slotSize)
            pthread_mutex_lock(mutex)
            if n > 0 {
                lengths[next] = n
                filled += 1
            }
            if end != 0 {
                done = true
                if end < 0 { errno = Int32(-end) }
            }
            pthread_cond_signal(changed)
            pthread_mutex_unlock(mutex)
            if end != 0 { return }
            next = (next + 1) % slots
        }
    }
}

/// Reads into `buffer` until fewer than `slack` bytes are free or the input
/// ends. Returns the bytes read and 0 (more to come), 1 (end of file) or the
/// negated errno of a failed read(2).
private func fillSlot(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ size: Int, slack: Int = 16384) -> (Int, Int) {
    var used = 0
    while used < max(size - slack, 1) {
        let n = system_read(fd, buffer + used, size - used)
        if n < 0 { return (used, n) }
        if n == 0 { return (used, 1) }
        used += n
    }
    return (used, 0)
}

/// Regular files from this size on are read ahead, in `largeFileSlotSize` slots.
internal let pipelinedReadLargeFile = 16 << 20
internal let largeFileSlotSize = 1 << 20

/// Reads `path` and passes each read's bytes to `consume` in order, reading
/// ahead on a second thread when the input takes more than one buffer and
/// `readAhead` (default: for files without a size, such as procfs ones, and
/// for regular files of `pipelinedReadLargeFile` bytes or more, which then use
/// slots of at least `largeFileSlotSize`). Returns what `finish` returns after
/// the last byte.
internal func pipelinedRead<R>(
    _ path: String,
    slotSize requestedSlotSize: Int = 1 << 18,
    slots: Int = 4,
    readAhead: Bool? = nil,
    sizeHint: (Int) -> Void = { _ in },
    consume: (UnsafeRawBufferPointer) throws -> Void,
    finish: () throws -> R
) throws -> R {
    let fd = system_open(path)
    if fd < 0 { throw FileReadFailure(errno: -fd, atOpen: true) }
    defer { system_close(fd) }
    let regularSize = system_fileSize(fd)
    if let size = regularSize, size > 0 { sizeHint(size) }
    let largeFile = (regularSize ?? 0) >= pipelinedReadLargeFile
    let slotSize = largeFile ? max(requestedSlotSize, largeFileSlotSize) : requestedSlotSize
    guard let memory = malloc(slotSize * slots) else { throw FileReadFailure(errno: ENOMEM, atOpen: false) }
    defer { free(memory) }

    // nil: read ahead unless this is a regular file with a size (procfs files
    // are regular files of size 0) below `pipelinedReadLargeFile`.
    if !(readAhead ?? (largeFile || !(regularSize.map { $0 > 0 } ?? false))) {
        while true {
            let (n, end) = fillSlot(fd, memory, slotSize)
            if end < 0 { throw FileReadFailure(errno: Int32(-end), atOpen: false) }
            if n > 0 { try consume(UnsafeRawBufferPointer(start: memory, count: n)) }
            if end == 1 { return try finish() }
        }
    }

    // The first buffer in this thread: a small input ends here.
    let (first, end) = fillSlot(fd, memory, slotSize)
    if end < 0 { throw FileReadFailure(errno: Int32(-end), atOpen: false) }
    if first > 0 { try consume(UnsafeRawBufferPointer(start: memory, count: first)) }
    if end == 1 { return try finish() }

    let ring = ReadRing(fd: fd, slots: slots, slotSize: slotSize, memory: memory)
    ring.head = 1
    var thread = pthread_t()
    let context = Unmanaged.passRetained(ring).toOpaque()
    let created = pthread_create(&thread, nil, { raw in
        let ring = Unmanaged<ReadRing>.fromOpaque(raw!).takeRetainedValue()
        ring.readAll(startingAt: 1)
        return nil
    }, context)
    if created != 0 {
        Unmanaged<ReadRing>.fromOpaque(context).release()
        // No thread: read the rest here.
        while true {
            let (n, end) = fillSlot(fd, memory, slotSize)
            if end < 0 { throw FileReadFailure(errno: Int32(-end), atOpen: false) }
            if n > 0 { try consume(UnsafeRawBufferPointer(start: memory, count: n)) }
            if end == 1 { return try finish() }
        }
    }
    defer { pthread_join(thread, nil) }

    do {
        while true {
            pthread_mutex_lock(ring.mutex)
            while ring.filled == 0 && !ring.done { pthread_cond_wait(ring.changed, ring.mutex) }
            if ring.filled == 0 {
                let error = ring.errno
                pthread_mutex_unlock(ring.mutex)
                if error != 0 { throw FileReadFailure(errno: error, atOpen: false) }
                break
            }
            let i = ring.head
            let n = ring.lengths[i]
            pthread_mutex_unlock(ring.mutex)

            try consume(UnsafeRawBufferPointer(start: ring.slot(i), count: n))

            pthread_mutex_lock(ring.mutex)
            ring.filled -= 1
            ring.head = (i + 1) % slots
            pthread_cond_signal(ring.changed)
            pthread_mutex_unlock(ring.mutex)
        }
    } catch {
        pthread_mutex_lock(ring.mutex)
        ring.cancelled = true
        pthread_cond_signal(ring.changed)
        pthread_mutex_unlock(ring.mutex)
        throw error
    }
    return try finish()
}

/// Feeds a stream of chunks to the parser, carrying a line split across two
/// chunks over in a small buffer (only that line is copied).
internal struct LineCarrier {
    private var carry: [UInt8] = []

    mutating func feed(_ chunk: UnsafeRawBufferPointer, to parser: inout SmapsParser) throws {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var start = 0
        if !carry.isEmpty {
            guard let nl = memchr(base, Int32(Ascii.newline), chunk.count) else {
                carry.append(contentsOf: chunk)
                return
            }
            let end = UnsafeRawPointer(nl) - base + 1
            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<end]))
            // The carry now ends with a newline, so the parser uses all of it.
            let used = try carry.withUnsafeBytes { try parser.feed($0) }
            carry.removeFirst(used)
            start = end
        }
        let rest = UnsafeRawBufferPointer(rebasing: chunk[start...])
        let used = try parser.feed(rest)
        if used < rest.count { carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[used...])) }
    }

    /// The bytes left over after the last chunk: a last line without newline.
    var leftover: [UInt8] { carry }
}
