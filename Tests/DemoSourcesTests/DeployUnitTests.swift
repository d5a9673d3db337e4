import Foundation
import TestSupport
import Testing

/// `deploy/sundhedscloud.service`: a node that dies comes back (Restart=on-failure), runs as its own user with the
/// system read-only but for its storage, and Swift's backtracer does not hold it. Checked by `systemd-analyze
/// verify` where systemd is installed.
@Suite struct DeployUnitTests {
    static let unit = Fixtures.repositoryRoot.appendingPathComponent("deploy/sundhedscloud.service")

    @Test("Enheden genstarter ved fejl, kører uden root med skrivebeskyttet system og uden interaktiv backtrace")
    func theUnitRestartsAndIsLockedDown() throws {
        let text = try String(contentsOf: Self.unit, encoding: .utf8)
        let lines = Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        for wanted in [
            "Restart=on-failure", "NoNewPrivileges=yes", "ProtectSystem=strict", "User=sundhedscloud",
            "ReadWritePaths=/var/lib/sundhedscloud /var/log/sundhedscloud",
            "Environment=XDG_DATA_HOME=/var/lib/sundhedscloud/data",
            "Environment=SWIFT_BACKTRACE=enable=yes,interactive=no,color=no",
        ] {
            #expect(lines.contains(wanted), "\(wanted) missing")
        }
        #expect(!lines.contains("User=root"))
    }

    @Test(
        "systemd-analyze verify godkender enheden",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")))
    func systemdAcceptsTheUnit() throws {
        let binary = Fixtures.repositoryRoot.appendingPathComponent(".build/debug/sundhedscloud").path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The unit as installed, but naming the binary this build made.
        let text = try String(contentsOf: Self.unit, encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/sundhedscloud", with: binary)
        let copy = folder.appendingPathComponent("sundhedscloud.service")
        try text.write(to: copy, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = ["verify", copy.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(!output.contains("Unknown") && !output.contains("ignoring"), "\(output)")
    }
}
