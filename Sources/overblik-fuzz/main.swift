import CLibFuzzer
import Foundation
import FuzzTargets

// The libFuzzer executable (built only with OVERBLIK_FUZZ=1, see Package.swift and scripts/fuzz). The target is
// named by FUZZ_TARGET, read once (`list` prints the names); libFuzzer's options follow on the command line.
//
//     FUZZ_TARGET=json .build-fuzz/debug/overblik-fuzz -max_total_time=60 corpus/

nonisolated(unsafe) var selected: FuzzTarget = .json

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTarget.run(selected, UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

let name = getenv("FUZZ_TARGET").map { String(cString: $0) }
let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: " ")
if name == "list" {
    print(names)
    exit(0)
}
guard let name, let target = FuzzTarget(rawValue: name) else {
    FileHandle.standardError.write(Data("overblik-fuzz: set FUZZ_TARGET to one of: \(names)\n".utf8))
    exit(2)
}
selected = target
target.prepare()
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))
