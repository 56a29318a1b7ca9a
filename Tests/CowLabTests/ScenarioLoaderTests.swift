import Testing
@testable import CowLab

/// A small valid scenario; each refusal test breaks one line of it.
let baseScenario = """
version: 1
name: demo
title: A demo
source: "003 fork lab"
params:
  size: 64KiB
steps:
  - { as: allocated, in: parent, do: malloc, region: buf, size: $size }
  - { as: filled, in: parent, do: fill, region: buf, byte: 1 }
  - { as: forked, in: parent, do: fork, child: child }
  - { as: written, in: child, do: fill, region: buf, byte: 2 }
expect:
  - at: forked
    in: [parent, child]
    region: buf
    Shared_Dirty: "~ $size ± 2 pages"
  - shift: { in: child, region: buf, between: [forked, written], from: Shared_Dirty, to: Private_Dirty, amount: "~ $size ± 2 pages" }
  - change: { in: parent, region: buf, from: allocated, to: filled }
    Rss: "~ $size ± 1 page"
document:
  - { at: forked, in: parent, region: buf, Pss: 34 kB }
"""

@Suite("Scenario loader")
struct ScenarioLoaderTests {
    func load(_ text: String) throws(ScenarioError) -> Scenario {
        try ScenarioLoader.parse(text, file: "demo.yaml")
    }

    func replacing(_ old: String, _ new: String) -> String {
        precondition(baseScenario.contains(old), "test setup: '\(old)' not in the base scenario")
        return baseScenario.replacingOccurrences(of: old, with: new)
    }

    @Test("the base scenario loads with its steps, labels and expectations")
    func loads() throws {
        let s = try load(baseScenario)
        #expect(s.name == "demo")
        #expect(s.labels == ["start", "allocated", "filled", "forked", "written"])
        #expect(s.steps.count == 4)
        #expect(s.expectations.count == 3)
        #expect(s.expectations[0].processes == ["parent", "child"])
        #expect(s.document.count == 1)
        #expect(s.parameters.first?.name == "size")
    }

    @Test("refused files name the file, line and key", arguments: [
        // (replace this, with this, expected line, fragment of the message)
        ("    Shared_Dirty: \"~", "    Shared_Dirt: \"~", 16, "demo.yaml:16: expect[0].Shared_Dirt: unknown key (did you mean 'Shared_Dirty'?)"),
        ("title: A demo", "titel: A demo", 3, "titel: unknown key (did you mean 'title'?)"),
        ("size: $size }", "size: 64 potatoes }", 8, "bad size '64 potatoes'"),
        ("size: $size }", "size: -64KiB }", 8, "size '-64KiB' is negative"),
        ("region: buf, byte: 2", "region: bf, byte: 2", 11, "process 'child' has no region 'bf'"),
        ("in: child, do: fill", "in: kid, do: fill", 11, "no live process 'kid'"),
        ("between: [forked, written]", "between: [forked, writen]", 17, "no step is labelled 'writen' (did you mean 'written'?)"),
        ("as: filled", "as: allocated", 9, "duplicate label 'allocated'"),
        ("do: fork", "do: frok", 10, "unknown operation 'frok' (did you mean 'fork'?)"),
        ("byte: 1", "byte: 300", 9, "expected a whole number from 0 to 255"),
        ("version: 1", "version: 2", 1, "unsupported version 2"),
        ("name: demo", "name: other", 2, "does not match the file name"),
        ("\"~ $size ± 2 pages\"\n  - shift", "\"~ $sise ± 2 pages\"\n  - shift", 16, "unknown parameter $sise"),
        ("\"~ $size ± 2 pages\"\n  - shift", "\"~ $size\"\n  - shift", 16, "needs a tolerance"),
        ("from: Shared_Dirty", "from: Shared_Dirt", 17, "unknown smaps field 'Shared_Dirt'"),
        ("Pss: 34 kB", "Pss: 34 kB, Pss: 35 kB", 21, "duplicate key"),
        ("  - { as: written", "  - { as: gone, in: child, do: exit }\n  - { as: written", 12, "no live process 'child'"),
    ] as [(String, String, Int?, String?)])
    func refuses(old: String, new: String, line: Int?, fragment: String?) {
        let text = replacing(old, new)
        do {
            _ = try load(text)
            Issue.record("loaded a broken scenario: \(new)")
        } catch {
            if let line { #expect(error.line == line, "\(error)") }
            if let fragment { #expect(error.description.contains(fragment), "\(error)") }
            #expect(!error.description.contains("\n"), "one line: \(error)")
            #expect(error.file == "demo.yaml")
        }
    }

    @Test("an expectation on a process before it exists is refused")
    func processNotAliveAtLabel() {
        let text = replacing("  - at: forked\n    in: [parent, child]", "  - at: filled\n    in: [parent, child]")
        #expect { try load(text) } throws: { "\($0)".contains("process 'child' is not alive at 'filled'") }
    }

    @Test("broken YAML gets a located one-line error")
    func brokenYAML() {
        #expect { try load("version: 1\nname: [unclosed\n") } throws: { error in
            let e = error as! ScenarioError
            return e.line != nil && e.description.hasPrefix("demo.yaml:") && !e.description.contains("\n")
        }
    }

    @Test("an empty file is refused")
    func empty() {
        #expect { try load("") } throws: { "\($0)".contains("empty") }
    }

    static let fileScenario = """
    version: 1
    name: demo
    title: files
    source: test
    steps:
      - { as: made, do: create-file, file: seg, size: 1MiB, on: shm, sparse: true }
      - { as: mapped, in: parent, do: mmap, region: m, size: 1MiB, map: shared, file: seg }
    """

    @Test("create-file: sparse files are made with ftruncate and take no chunk or byte")
    func sparseFile() throws {
        let s = try load(Self.fileScenario)
        guard case .createFile(_, _, _, _, _, .shm, true) = s.steps[0].operation else {
            Issue.record("expected a sparse shm file, got \(s.steps[0].operation)")
            return
        }
        for extra in ["chunk: 4KiB", "byte: 3"] {
            let text = Self.fileScenario.replacingOccurrences(of: "sparse: true }", with: "sparse: true, \(extra) }")
            #expect { try load(text) } throws: { "\($0)".contains("demo.yaml:6:") && "\($0)".contains("has no data") }
        }
    }

    @Test("every scenario in the catalogue loads")
    func catalogueLoads() throws {
        let catalogue = try Catalogue.locate()
        let names = try catalogue.names()
        #expect(names.contains("fork-write"))
        for name in names { _ = try catalogue.load(name) }
    }
}

import Foundation
