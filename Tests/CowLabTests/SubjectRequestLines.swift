@testable import CowLab

extension SubjectRequest {
    /// A request from its wire text, "op key=value key=value", as the parameterised
    /// tests spell them. Test-only: no quoting, every argument must contain '='.
    init(line: String) {
        let parts = line.split(separator: " ")
        self.init(
            op: String(parts[0]),
            arguments: parts.dropFirst().map {
                let kv = $0.split(separator: "=", maxSplits: 1)
                return (key: String(kv[0]), value: String(kv[1]))
            })
    }
}
