import Foundation
import TestSupport
import Testing

/// The real TUI in a real terminal (tmux, 80x24): start on the demo, type, look at the screen, quit; and a
/// SIGTERM that must leave the terminal usable.
@Suite(.serialized) struct TmuxSmokeTests {
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    struct Session {
        let name: String
        let directory: String

        /// Runs tmux and waits for it with waitpid (the tmux server that new-session forks must not hold our output,
        /// so it goes to a file).
        @discardableResult
        func tmux(_ arguments: [String]) throws -> String {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-out-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            let command =
                (["tmux", "-L", name] + arguments).map(quote).joined(separator: " ") + " > \(quote(file)) 2>&1 < /dev/null"
            var pid: pid_t = 0
            let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
            defer { argv.forEach { free($0) } }
            guard posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0 else { throw CocoaError(.executableLoad) }
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        }

        func screen() -> String { (try? tmux(["capture-pane", "-p", "-t", name])) ?? "" }

        func keys(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }

        /// Waits until the screen shows every text; returns the screen.
        func waitFor(_ texts: [String], timeout: Duration = .seconds(90)) async -> String {
            let deadline = ContinuousClock.now + timeout
            var text = screen()
            while ContinuousClock.now < deadline, !texts.allSatisfy(text.contains) {
                try? await Task.sleep(for: .milliseconds(200))
                text = screen()
            }
            return text
        }

        func stop() { _ = try? tmux(["kill-server"]) }
    }

    func start(lang: String = "C.UTF-8") throws -> Session {
        let executable = try #require(ProcessRun.executable("overblik"), "build the overblik product first (make test does)")
        let name = "ob\(UInt32.random(in: 0...UInt32.max))"
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-tmux-\(name)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let session = Session(name: name, directory: home)
        let command = """
            cd '\(Self.repositoryRoot.path)' && export TERM=xterm-256color XDG_CACHE_HOME='\(home)/cache' XDG_CONFIG_HOME='\(home)/config' \
            XDG_STATE_HOME='\(home)/state' LANG=\(lang); sh -c 'echo $$ > \(home)/pid; exec \(executable.path) --demo'; \
            echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(echo|icanon)$' | tr '\\n' ' '; echo; sleep 120
            """
        try session.tmux(["new-session", "-d", "-s", name, "-x", "80", "-y", "24", command])
        return session
    }

    func terminalIsSane(_ screen: String) {
        let line = screen.split(separator: "\n").first { $0.contains("icanon") }.map(String.init) ?? ""
        let words = Set(line.split(separator: " ").map(String.init))
        #expect(words.contains("echo") && words.contains("icanon"), "stty after exit: \(line)")
    }

    @Test func startTypeLookAndQuit() async throws {
        let session = try start()
        defer { session.stop() }
        // `overblik --demo` asks who you are; Bruno's own GP (the second demo user) may see all his data.
        let question = await session.waitFor(["Hvem er du?", "Vælg 1-"])
        #expect(question.contains("Hanne Østergaard, egen læge"), "\(question)")
        // A wrong answer is said so and asked again; nothing has started yet.
        try session.keys("9", "Enter")
        let again = await session.waitFor(["Ukendt valg '9'"], timeout: .seconds(30))
        let lines = again.split(separator: "\n", omittingEmptySubsequences: false)
        let wrong = try #require(lines.firstIndex { $0.contains("Ukendt valg '9'") }, "\(again)")
        #expect(lines[wrong + 1].hasPrefix("Vælg 1-7 [1]:"), "\(again)")
        try session.keys("2", "Enter")
        let first = await session.waitFor(["Akutmodtagelsen nu"])
        #expect(first.contains("CPR eller navn"), "\(first)")
        try session.keys("2509479989", "Enter")
        let overview = await session.waitFor(["Bruno Test Elmer", "HOSP ok", "LÆGE ok", "KOMM ok"])
        #expect(overview.contains("250947-9989  79 år  mand"), "\(overview)")
        #expect(overview.contains("Sygehistorik"))
        // Each wait names everything the step checks, so a screen captured while tmux is still drawing (a busy
        // machine) is waited past rather than judged.
        try session.keys("4")
        #expect(await session.waitFor(["Hjemmepleje (", "KOMM"], timeout: .seconds(30)).contains("KOMM"))
        try session.keys("Enter")
        #expect(await session.waitFor(["Dato:", "Herlev Kommune"], timeout: .seconds(30)).contains("Herlev Kommune"))
        try session.keys("Escape", "t")
        #expect(await session.waitFor(["Tidslinje (", "sektor: alle"], timeout: .seconds(30)).contains("sektor: alle"))
        try session.keys("s")
        #expect(await session.waitFor(["sektor: hospital", "HOSP"], timeout: .seconds(30)).contains("HOSP"))
        try session.keys("Escape", "L")
        #expect(await session.waitFor(["Laboratoriesvar over tid", "Kreatinin"], timeout: .seconds(30)).contains("Kreatinin"))
        try session.keys("?")
        #expect(await session.waitFor(["Hjælp: taster", "afslut"], timeout: .seconds(30)).contains("afslut"))
        try session.keys("Escape", ":", "quit", "Enter")
        let after = await session.waitFor(["EXIT=0", "icanon"], timeout: .seconds(20))
        #expect(after.contains("EXIT=0"), "\(after)")
        terminalIsSane(after)
    }

    @Test func sigtermLeavesTheTerminalUsable() async throws {
        let session = try start()
        defer { session.stop() }
        _ = await session.waitFor(["Vælg 1-"])
        try session.keys("Enter")
        _ = await session.waitFor(["Akutmodtagelsen nu"])
        let pid = try #require(
            Int32(
                (try String(contentsOfFile: session.directory + "/pid", encoding: .utf8)).trimmingCharacters(
                    in: .whitespacesAndNewlines)))
        kill(pid, SIGTERM)
        let after = await session.waitFor(["EXIT=", "icanon"], timeout: .seconds(20))
        #expect(after.contains("EXIT=0"), "\(after)")
        terminalIsSane(after)
    }

    @Test func aLocaleThatIsNotUTF8GetsASCIIBoxes() async throws {
        let session = try start(lang: "C")
        defer { session.stop() }
        _ = await session.waitFor(["Vælg 1-"])
        try session.keys("Enter")
        // The board's selected row, marked in ASCII too.
        _ = await session.waitFor(["Akutmodtagelsen nu (", "\n > "])
        try session.keys("Enter")
        let overview = await session.waitFor(["Kilder:", "+-"], timeout: .seconds(30))
        #expect(overview.contains("+-") && overview.contains("|"), "\(overview)")
        #expect(!overview.contains("─") && !overview.contains("│") && !overview.contains("▶"), "\(overview)")
        try session.keys(":", "quit", "Enter")
        #expect(await session.waitFor(["EXIT=0"], timeout: .seconds(20)).contains("EXIT=0"))
    }
}
