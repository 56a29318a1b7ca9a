import Testing
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

extension SubjectGroup {
    /// Sends the request `line` to `process` and expects the subject to refuse it
    /// with `errno` and `what` (the reply's error fields), leaving it serving.
    func expectRefused(_ process: String, line: String, errno code: Int32, what: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let request = SubjectRequest(line: line)
        #expect(request.wire == line, sourceLocation: sourceLocation)
        #expect(throws: SubjectError.failed(process: process, op: request.op, errno: code, what: what),
                sourceLocation: sourceLocation) {
            try self.request(process, request)
        }
    }
}
