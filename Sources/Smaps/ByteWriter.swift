// An append-only byte buffer for the renderers: raw memory, no String
// interpolation per value, integers formatted straight into bytes. JSON for
// 10,000 mappings is 5 MB; Array.append(contentsOf:) per token cost more
// than the parse.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

internal struct ByteWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int
    /// With a file descriptor the writer streams: a full buffer is written out
    /// instead of grown. -1: collect everything in memory.
    private let fd: Int32
    /// The first write(2) failure (negated errno), 0 if none; later output is dropped.
    private(set) var writeError: Int32 = 0

    init(capacity: Int = 4096) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
        fd = -1
    }

    /// A writer that streams to `fd` through a `bufferSize` buffer; call `flush()` at the end.
    init(streamingTo fd: Int32, bufferSize: Int = 1 << 16) {
        capacity = bufferSize
        base = .allocate(capacity: capacity)
        self.fd = fd
    }

    deinit { base.deallocate() }

    /// Writes out what is buffered (streaming writers only).
    mutating func flush() {
        guard fd >= 0, count > 0 else { return }
        if writeError == 0 {
            writeError = system_writeAll(fd, UnsafeRawBufferPointer(start: base, count: count))
        }
        count = 0
    }

    /// The bytes written, as an array.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Makes room for `n` more bytes.
    @inline(__always) private mutating func reserve(_ n: Int) {
        if count &+ n > capacity { grow(n) }
    }

    private mutating func grow(_ n: Int) {
        if fd >= 0 {
            flush()
            if n <= capacity { return }
        }
        let newCapacity = max(capacity * 2, count + n)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    @inline(__always) mutating func byte(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count &+= 1
    }

    @inline(__always) mutating func raw(_ p: UnsafeRawBufferPointer) {
        guard let start = p.baseAddress else { return }
        let n = p.count
        reserve(n)
        let to = UnsafeMutableRawPointer(base + count)
        // Most tokens are short: two overlapping word copies beat a memcpy call.
        if n >= 8 && n <= 16 {
            to.storeBytes(of: start.loadUnaligned(as: UInt64.self), as: UInt64.self)
            (to + n - 8).storeBytes(of: start.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self), as: UInt64.self)
        } else if n >= 4 && n < 8 {
            to.storeBytes(of: start.loadUnaligned(as: UInt32.self), as: UInt32.self)
            (to + n - 4).storeBytes(of: start.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self), as: UInt32.self)
        } else if n < 4 {
            var i = 0
            while i < n {
                to.storeBytes(of: start.load(fromByteOffset: i, as: UInt8.self), toByteOffset: i, as: UInt8.self)
                i &+= 1
            }
        } else {
            memcpy(to, start, n)
        }
        count &+= n
    }

    @inline(__always) mutating func ascii(_ s: StaticString) {
        raw(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inline(__always) mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { raw(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always) mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw($0) }
    }

    mutating func repeating(_ b: UInt8, _ n: Int) {
        guard n > 0 else { return }
        reserve(n)
        memset(base + count, Int32(b), n)
        count &+= n
    }

    /// Number of decimal digits of `v`.
    @inline(__always) static func decimalWidth(_ v: UInt64) -> Int {
        var n = 1
        var x = v
        while x >= 10 {
            x /= 10
            n &+= 1
        }
        return n
    }

    @inline(__always) mutating func decimal(_ v: UInt64) {
        if v < 10 {
            byte(Ascii.zero &+ UInt8(truncatingIfNeeded: v))
            return
        }
        let n = Self.decimalWidth(v)
        reserve(n)
        var x = v
        var i = count &+ n
        repeat {
            i &-= 1
            base[i] = Ascii.zero &+ UInt8(truncatingIfNeeded: x % 10)
            x /= 10
        } while x > 0
        count &+= n
    }

    mutating func signed(_ v: Int64) {
        if v < 0 {
            byte(Ascii.dash)
            decimal(v.magnitude)
        } else {
            decimal(UInt64(v))
        }
    }

    /// `v` right-aligned in `width` columns.
    mutating func decimal(_ v: UInt64, width: Int) {
        repeating(Ascii.space, width - Self.decimalWidth(v))
        decimal(v)
    }

    /// `v` in lowercase hex, zero-padded to `minimumWidth` digits.
    @inline(__always) mutating func hex(_ v: UInt64, minimumWidth: Int = 1) {
        let digits = v == 0 ? 1 : (64 - v.leadingZeroBitCount + 3) / 4
        let n = max(digits, minimumWidth)
        reserve(n)
        var x = v
        var i = count &+ n
        let lastDigit = count &+ n &- digits
        while i > lastDigit {
            i &-= 1
            let d = UInt8(truncatingIfNeeded: x & 0xF)
            base[i] = d < 10 ? Ascii.zero &+ d : Ascii.lowerA &+ (d &- 10)
            x >>= 4
        }
        while i > count {
            i &-= 1
            base[i] = Ascii.zero
        }
        count &+= n
    }

    /// `s` as a JSON string literal, quotes included.
    mutating func jsonString(_ s: String) {
        byte(Ascii.quote)
        var s = s
        s.withUTF8 { utf8 in
            var runStart = 0
            for i in 0..<utf8.count {
                let b = utf8[i]
                guard b < 0x20 || b == Ascii.quote || b == Ascii.backslash else { continue }
                raw(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[runStart..<i]))
                byte(Ascii.backslash)
                switch b {
                case Ascii.quote: byte(Ascii.quote)
                case Ascii.backslash: byte(Ascii.backslash)
                case Ascii.newline: byte(Ascii.n)
                case Ascii.tab: byte(Ascii.t)
                default:
                    ascii("u00")
                    hex(UInt64(b), minimumWidth: 2)
                }
                runStart = i + 1
            }
            raw(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[runStart...]))
        }
        byte(Ascii.quote)
    }
}
