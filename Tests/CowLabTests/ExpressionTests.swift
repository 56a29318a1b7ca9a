import Testing
@testable import CowLab

@Suite("Size expressions and conditions")
struct ExpressionTests {
    let ctx = EvaluationContext(
        pageSize: 4096,
        parameter: { ["size": Quantity(bytes: 65536), "n": Quantity(scalar: 3)][$0] },
        field: { ["Rss": Quantity(bytes: 69632), "Pss": Quantity(bytes: 34816)][$0] })

    @Test("sizes are written in units and pages", arguments: [
        ("64KiB", 65536.0), ("64 KiB", 65536), ("68 kB", 69632), ("1MiB", 1_048_576), ("2 GiB", 2_147_483_648),
        ("16 pages", 65536), ("1 page", 4096), ("0", 0), ("512B", 512), ("1.5 MiB", 1_572_864),
        ("$size", 65536), ("$size + 1 page", 69632), ("$size * 2", 131_072), ("$size / 4", 16384),
        ("Rss / 2", 34816), ("(Rss - Pss) * 2", 69632), ("-4 KiB", -4096), ("$size * $n", 196_608),
        ("max($size, 1 page)", 65536), ("min($size, 1 page)", 4096), ("max(Pss, Rss, 1 page) / 2", 34816),
        ("max(0, 4 KiB)", 4096), ("min ( 3 , $n ) * 1 page", 12288), ("max($n, 2)", 3),
    ] as [(String, Double)])
    func evaluates(text: String, bytes: Double) throws {
        let e = try ExpressionParser.expression(text)
        #expect(try e.evaluate(in: ctx).value == bytes)
    }

    @Test("syntax errors name what is wrong", arguments: [
        ("64 KB/s", "unknown"), ("64 kib", "did you mean 'KiB'"), ("Rsss", "unknown field 'Rsss'"),
        ("$", "parameter name"), ("(64KiB", "missing ')'"), ("64KiB 3", "unexpected"), ("", "ends too early"),
        ("max 1 page", "in parentheses"), ("max(1 page, 2 pages", "missing ')' after the values of max"), ("max()", "unexpected ')'"),
    ] as [(String, String)])
    func refuses(text: String, fragment: String) {
        #expect {
            _ = try ExpressionParser.expression(text)
        } throws: { error in
            "\(error)".contains(fragment)
        }
    }

    @Test("dimensions are checked", arguments: ["Rss + 3", "Rss * Pss", "3 / Rss", "max(Rss, 3)", "min(2, 1 page)"])
    func dimensionMismatch(text: String) throws {
        let e = try ExpressionParser.expression(text)
        #expect(throws: EvaluationError.self) { try e.evaluate(in: ctx) }
    }

    @Test("one table row per comparison and tolerance rule", arguments: [
        // condition, observed bytes, holds
        (">= $size", 65536.0, true), (">= $size", 65535, false),
        ("> $size", 65536, false), ("< $size / 4", 8192, true), ("< $size / 4", 16384, false),
        ("<= 2 pages", 8192, true), ("<= 2 pages", 8193, false),
        ("= 0", 0, true), ("= 0", 4096, false), ("= Rss", 69632, true), ("== Rss", 65536, false),
        ("~ $size ± 2 pages", 65536 - 8192, true), ("~ $size ± 2 pages", 65536 + 8192, true),
        ("~ $size ± 2 pages", 65536 + 8193, false), ("≈ $size +- 1 page", 61440, true),
        ("~ Rss / 2 ± 1%", 34816 + 348, true), ("~ Rss / 2 ± 1%", 34816 + 349, false),
        ("≥ 16 pages", 65536, true), ("≤ 16 pages", 65537, false),
        ("= $size ± 1 page", 69632, true), ("<= 0 ± 1 page", 4096, true),
    ] as [(String, Double, Bool)])
    func conditionTable(text: String, observed: Double, holds: Bool) throws {
        let c = try ExpressionParser.condition(text)
        #expect(try c.check(Quantity(bytes: observed), in: ctx).holds == holds)
    }

    @Test("≈ without a tolerance is refused")
    func approximateNeedsTolerance() {
        #expect(throws: ExpressionSyntaxError.self) { try ExpressionParser.condition("~ $size") }
    }

    @Test("a unit-less tolerance on a size is refused at evaluation")
    func unitlessTolerance() throws {
        let c = try ExpressionParser.condition("~ $size ± 2")
        #expect(throws: EvaluationError.self) { try c.check(Quantity(bytes: 65536), in: ctx) }
    }

    @Test("expressions print back the way they read")
    func roundTrip() throws {
        for text in ["$size + 2 pages", "Rss / 2", "(Rss - Pss) * 2", "64KiB", "max($size, 2 pages)", "min(Rss, Pss) / 2"] {
            #expect("\(try ExpressionParser.expression(text))" == text)
        }
    }
}
