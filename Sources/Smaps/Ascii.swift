// Named ASCII constants for the byte-level parser and the renderers.

internal enum Ascii {
    static let tab = UInt8(ascii: "\t")
    static let newline = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let quote = UInt8(ascii: "\"")
    static let hash = UInt8(ascii: "#")
    static let leftParen = UInt8(ascii: "(")
    static let rightParen = UInt8(ascii: ")")
    static let comma = UInt8(ascii: ",")
    static let dash = UInt8(ascii: "-")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
    static let colon = UInt8(ascii: ":")
    static let upperA = UInt8(ascii: "A")
    static let upperB = UInt8(ascii: "B")
    static let upperF = UInt8(ascii: "F")
    static let upperZ = UInt8(ascii: "Z")
    static let leftBracket = UInt8(ascii: "[")
    static let backslash = UInt8(ascii: "\\")
    static let rightBracket = UInt8(ascii: "]")
    static let underscore = UInt8(ascii: "_")
    static let lowerA = UInt8(ascii: "a")
    static let lowerF = UInt8(ascii: "f")
    static let k = UInt8(ascii: "k")
    static let p = UInt8(ascii: "p")
    static let r = UInt8(ascii: "r")
    static let s = UInt8(ascii: "s")
    static let w = UInt8(ascii: "w")
    static let x = UInt8(ascii: "x")
    static let lowerZ = UInt8(ascii: "z")
    static let leftBrace = UInt8(ascii: "{")
    static let rightBrace = UInt8(ascii: "}")

    /// " (deleted)", the suffix the kernel appends to an unlinked file's path.
    static let deletedSuffix: [UInt8] = Array(" (deleted)".utf8)

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- zero <= 9 }

    /// The value of a hex digit (either case), or 0xFF.
    @inline(__always) static func hexValue(_ b: UInt8) -> UInt8 {
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
