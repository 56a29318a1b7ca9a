import Testing
@testable import CowLab

/// The `copy` step and the `align` key of `mmap`.
@Suite("Scenario loader: copy and align")
struct ScenarioLoaderCopyAlignTests {
    func scenario(_ steps: String) -> String {
        """
        version: 1
        name: demo
        title: A demo
        source: test
        params: { size: 1MiB }
        steps:
        \(steps)
        expect:
          - { at: start, in: parent, whole: true, Rss: ">= 0" }
        """
    }

    @Test("copy names two existing regions of the process; mmap takes align")
    func loads() throws {
        let s = try ScenarioLoader.parse(scenario("""
          - { as: old, in: parent, do: malloc, region: x, size: $size }
          - { as: new, in: parent, do: mmap, region: y, size: $size, map: private, align: 2MiB }
          - { as: copied, in: parent, do: copy, from: y, to: x }
        """), file: "demo.yaml")
        guard case .copy(let from, let to) = s.steps[2].operation else {
            Issue.record("not a copy: \(s.steps[2].operation)")
            return
        }
        #expect(from == "y" && to == "x")
        #expect(s.steps[2].operation.name == "copy")
        #expect(s.steps[2].operation.region == "x")
        guard case .mmap(_, _, _, _, _, _, _, let align) = s.steps[1].operation else {
            Issue.record("not an mmap")
            return
        }
        #expect(align == .size(2, .mib))
    }

    @Test("a bad copy or align is refused with its line", arguments: [
        ("  - { as: copied, in: parent, do: copy, from: y, to: z }", 9, "process 'parent' has no region 'z'"),
        ("  - { as: copied, in: parent, do: copy, from: x, to: x }", 9, "two different regions"),
        ("  - { as: copied, in: parent, do: copy, from: x }", 9, "missing key 'to'"),
        ("  - { as: copied, in: parent, do: copy, from: x, to: y, length: 1KiB }", 9, "length: unknown key"),
        ("  - { as: mapped, in: parent, do: mmap, region: z, size: $size, map: private, align: 2 potatoes }", 9, "bad size '2 potatoes'"),
    ] as [(String, Int, String)])
    func refuses(step: String, line: Int, fragment: String) {
        let text = scenario("""
          - { as: old, in: parent, do: malloc, region: x, size: $size }
          - { as: new, in: parent, do: malloc, region: y, size: $size }
        \(step)
        """)
        do {
            _ = try ScenarioLoader.parse(text, file: "demo.yaml")
            Issue.record("loaded a broken scenario: \(step)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.description.contains(fragment), "\(error)")
        }
    }
}
