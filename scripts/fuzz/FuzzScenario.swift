// libFuzzer entry point for the scenario loader: any bytes must load or be
// refused with a ScenarioError, never crash or hang.
import CowLab

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScenario(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? ScenarioLoader.parse(text, file: "fuzz.yaml")
    return 0
}
