// Reading and parsing at the same time.
//
// For a live process the kernel spends its time in read(2) generating smaps
// text (25-36 ms for 10,000 mappings here); parsing in the same thread adds
// its own time on top. Here the calling thread keeps calling read(2) into a
// ring of buffers while a helper thread parses the filled ones, so on two
// cores the parse hides behind the kernel's work.
//
// The reading stays on the calling thread because reading is the critical
// path: it starts at once, where a plain `cat` would run, and never waits for
// a new thread to be scheduled. The helper's start-up and most of its work
// overlap the reads; what is left at the end is the parse of the last
// buffer. An input that fits in the first buffer never starts the helper.
//
// The reader does not wake the helper for each buffer: on this kind of VM a
// wake-up (futex + IPI to an idle vCPU) cost the waker ~13 us, 28 of them a
// run. The helper looks at the ring every `consumerPoll` on its own timer
// instead, and the reader wakes it only for the last buffer; the helper wakes
// the reader only if the reader waits for a free slot.
//
// procfs returns at most about one page per read(2) of smaps (seq_file fills
// one buffer per call), so a buffer is handed over only when it is nearly
// full: one hand-over per slot, not one per 4 KiB read.
//
// Small regular files (saved snapshots) are read and parsed in this thread:
// the page cache copies them faster than a thread starts. Large ones (from
// 16 MiB) are pipelined too, in 1 MiB slots: the copy out of the page cache
// (~4 ms for 72 MB) is otherwise added in full to the ~30 ms of parsing.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The state shared by the reading (calling) thread and the consuming
/// thread; every field is guarded by `mutex`, except the buffers' bytes,
/// which belong to one side at a time (the reader until it marks a slot
/// filled, the consumer until it marks it free).
private final class ReadRing: @unchecked Sendable {
    let slots: Int
    let slotSize: Int
    let memory: UnsafeMutableRawPointer
    var lengths: [Int]
    /// Slots filled and not yet consumed, in order starting at `head`.
    var filled = 0
    var head = 0
    /// The reader has handed over its last slot.
    var done = false
    /// The reader waits for a free slot (the consumer then signals).
    var readerWaits = false
    /// What the consumer threw: the reader stops and rethrows it.
    var failure: (any Error)?
    /// `consume`, valid until the consumer thread is joined.
    let consume: (UnsafeRawBufferPointer) throws -> Void
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(slots: Int, slotSize: Int, memory: UnsafeMutableRawPointer, consume: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.slots = slots
        self.slotSize = slotSize
        self.memory = memory
        self.consume = consume
        lengths = [Int](repeating: 0, count: slots)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if os(Linux)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(changed, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        pthread_cond_destroy(changed)
        mutex.deallocate()
        changed.deallocate()
    }

    func slot(_ i: Int) -> UnsafeMutableRawPointer { memory + i * slotSize }

    /// Reader side: marks slot `i` filled with `count` bytes (and, with
    /// `last`, that no more will come). Returns false if the consumer failed.
    func handOver(_ i: Int, count: Int, last: Bool) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if failure != nil { return false }
        if count > 0 {
            lengths[i] = count
            filled += 1
        }
        if last {
            done = true
            pthread_cond_signal(changed)
        }
        return true
    }

    /// Reader side: waits until some slot is free. Returns false if the
    /// consumer failed.
    func waitForFreeSlot() -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while filled == slots && failure == nil {
            readerWaits = true
            pthread_cond_wait(changed, mutex)
            readerWaits = false
        }
        return failure == nil
    }

    /// The consumer thread's loop: consumes slots in order until the reader
    /// is done and every filled slot is consumed, or `consume` throws.
    func consumeAll() {
        while true {
            pthread_mutex_lock(mutex)
            while filled == 0 && !done { waitAWhile() }
            if filled == 0 {
                pthread_mutex_unlock(mutex)
                return
            }
            let i = head
            let n = lengths[i]
            pthread_mutex_unlock(mutex)

            do {
                try consume(UnsafeRawBufferPointer(start: slot(i), count: n))
            } catch {
                pthread_mutex_lock(mutex)
                failure = error
                pthread_cond_signal(changed)
                pthread_mutex_unlock(mutex)
                return
            }

            pthread_mutex_lock(mutex)
            filled -= 1
            head = (i + 1) % slots
            if readerWaits { pthread_cond_signal(changed) }
            pthread_mutex_unlock(mutex)
        }
    }

    /// Consumer side, holding `mutex`: sleeps until signalled or for
    /// `consumerPoll`, whichever comes first.
    private func waitAWhile() {
        #if os(Linux)
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        deadline.tv_nsec += consumerPoll
        if deadline.tv_nsec >= 1_000_000_000 {
            deadline.tv_sec += 1
            deadline.tv_nsec -= 1_000_000_000
        }
        pthread_cond_timedwait(changed, mutex, &deadline)
        #else
        var deadline = timespec()
        deadline.tv_nsec = consumerPoll
        pthread_cond_timedwait_relative_np(changed, mutex, &deadline)
        #endif
    }
}

/// How often the consumer looks for filled slots, in nanoseconds. A 64 KiB
/// slot of live smaps takes ~0.25 ms to read here, so the consumer stays about
/// one slot behind the reader and the four slots (~1 ms of reading) do not
/// fill unless it is descheduled; a few dozen timer wake-ups per 10,000
/// mappings, all on the consumer's core.
private let consumerPoll = 250_000

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

/// The slot size for procfs and small files. procfs gives ~4 KiB per read(2);
/// 64 KiB slots (~16 reads) keep the ring small (fresh pages cost ~3 us each
/// here) and hand-overs cost no wake-up (see `consumerPoll`).
internal let pipelinedReadSlotSize = 1 << 16

/// Regular files from this size on are pipelined, in `largeFileSlotSize` slots.
internal let pipelinedReadLargeFile = 16 << 20
internal let largeFileSlotSize = 1 << 20

/// Reads `path` and passes each read's bytes to `consume` in order, on a
/// second thread while this one goes on reading when the input takes more
/// than one buffer and `readAhead` (default: for files without a size, such
/// as procfs ones, and for regular files of `pipelinedReadLargeFile` bytes or
/// more, which then use slots of at least `largeFileSlotSize`). `consume` is
/// never called by two threads at once, and every call happens before this
/// function returns. Returns what `finish` returns, called on this thread
/// after the last byte was consumed.
internal func pipelinedRead<R>(
    _ path: String,
    slotSize requestedSlotSize: Int = pipelinedReadSlotSize,
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

    /// Reads and consumes in this thread, from slot 0.
    func readHere() throws -> R {
        while true {
            let (n, end) = fillSlot(fd, memory, slotSize)
            if end < 0 { throw FileReadFailure(errno: Int32(-end), atOpen: false) }
            if n > 0 { try consume(UnsafeRawBufferPointer(start: memory, count: n)) }
            if end == 1 { return try finish() }
        }
    }

    // nil: pipeline unless this is a regular file with a size (procfs files
    // are regular files of size 0) below `pipelinedReadLargeFile`.
    if !(readAhead ?? (largeFile || !(regularSize.map { $0 > 0 } ?? false))) {
        return try readHere()
    }

    // The first buffer: a small input ends here, without a thread.
    let (first, end) = fillSlot(fd, memory, slotSize)
    if end < 0 { throw FileReadFailure(errno: Int32(-end), atOpen: false) }
    if end == 1 {
        if first > 0 { try consume(UnsafeRawBufferPointer(start: memory, count: first)) }
        return try finish()
    }

    return try withoutActuallyEscaping(consume) { consume in
        let ring = ReadRing(slots: slots, slotSize: slotSize, memory: memory, consume: consume)
        ring.lengths[0] = first
        ring.filled = first > 0 ? 1 : 0
        var thread = pthread_t()
        let context = Unmanaged.passRetained(ring).toOpaque()
        let created = pthread_create(&thread, nil, { raw in
            let ring = Unmanaged<ReadRing>.fromOpaque(raw!).takeRetainedValue()
            ring.consumeAll()
            return nil
        }, context)
        if created != 0 {
            Unmanaged<ReadRing>.fromOpaque(context).release()
            // No thread: consume the first slot and go on in this thread.
            if first > 0 { try consume(UnsafeRawBufferPointer(start: memory, count: first)) }
            return try readHere()
        }

        // Read the rest while the consumer works; `consume` must not outlive
        // this closure, so every path below joins the thread first.
        var readError: Int32 = 0
        var next = 1 % slots
        reading: while ring.waitForFreeSlot() {
            let (n, end) = fillSlot(fd, ring.slot(next), slotSize)
            if end < 0 { readError = Int32(-end) }
            // After a failed read the bytes before it are still consumed
            // (the consumer drains the ring and stops); the error wins.
            if !ring.handOver(next, count: n, last: end != 0) || end != 0 { break reading }
            next = (next + 1) % slots
        }
        pthread_join(thread, nil)
        if let failure = ring.failure { throw failure }
        if readError != 0 { throw FileReadFailure(errno: readError, atOpen: false) }
        return try finish()
    }
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
