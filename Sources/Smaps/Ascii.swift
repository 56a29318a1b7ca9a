// Named ASCII constants for the byte-level parser and the renderers.

internal enum Ascii {
    static let tab: UInt8 = 0x09  // \t
    static let newline: UInt8 = 0x0A  // \n
    static let space: UInt8 = 0x20  // " "
    static let quote: UInt8 = 0x22  // "
    static let hash: UInt8 = 0x23  // #
    static let leftParen: UInt8 = 0x28  // (
    static let rightParen: UInt8 = 0x29  // )
    static let comma: UInt8 = 0x2C  // ,
    static let dash: UInt8 = 0x2D  // -
    static let zero: UInt8 = 0x30  // 0
    static let nine: UInt8 = 0x39  // 9
    static let colon: UInt8 = 0x3A  // :
    static let upperA: UInt8 = 0x41  // A
    static let upperB: UInt8 = 0x42  // B
    static let upperF: UInt8 = 0x46  // F
    static let upperZ: UInt8 = 0x5A  // Z
    static let leftBracket: UInt8 = 0x5B  // [
    static let backslash: UInt8 = 0x5C  // \\
    static let rightBracket: UInt8 = 0x5D  // ]
    static let underscore: UInt8 = 0x5F  // _
    static let lowerA: UInt8 = 0x61  // a
    static let lowerF: UInt8 = 0x66  // f
    static let k: UInt8 = 0x6B  // k
    static let n: UInt8 = 0x6E  // n
    static let p: UInt8 = 0x70  // p
    static let r: UInt8 = 0x72  // r
    static let s: UInt8 = 0x73  // s
    static let t: UInt8 = 0x74  // t
    static let w: UInt8 = 0x77  // w
    static let x: UInt8 = 0x78  // x
    static let lowerZ: UInt8 = 0x7A  // z
    static let leftBrace: UInt8 = 0x7B  // {
    static let rightBrace: UInt8 = 0x7D  // }

    /// " (deleted)", the suffix the kernel appends to an unlinked file's path.
    static let deletedSuffix: [UInt8] = Array(" (deleted)".utf8)

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- zero <= 9 }

    /// The value of every byte as a hex digit (either case), 0xFF for non-digits.
    /// A table: addresses mix digits and letters at random, and a lookup has no
    /// branch to mispredict. Allocated once, never written after, never freed.
    nonisolated(unsafe) static let hexTable: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for b in 0..<256 { table[b] = hexValueComputed(UInt8(b)) }
        return UnsafePointer(table)
    }()

    /// The value of a hex digit (either case), or 0xFF.
    @inline(__always) static func hexValueComputed(_ b: UInt8) -> UInt8 {
        let d = b &- zero
        if d <= 9 { return d }
        let l = (b | 0x20) &- lowerA
        if l <= 5 { return l &+ 10 }
        return 0xFF
    }

    /// A byte allowed in a field key: letters, digits, underscore.
    @inline(__always) static func isKeyByte(_ b: UInt8) -> Bool {
        let l = (b | 0x20) &- lowerA
        return l <= 25 || b &- zero <= 9 || b == underscore
    }

    @inline(__always) static func isBlank(_ b: UInt8) -> Bool { b == space || b == tab }
}
