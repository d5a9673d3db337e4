import FHIR
import Foundation
import GRDB

/// The analysis store: pseudonymised persons and facts per project, in a SQLite file of its own (apart from the
/// platform's storage and its audit log). It holds no CPR number, name, address or free text: only what `Extractor`
/// reads. A project's data is replaced in one transaction, so an ingest that fails leaves the data as it was.
public final class AnalysisStore: Sendable {
    let pool: DatabasePool
    public let path: String

    public init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE person (
                        project TEXT NOT NULL, pid BLOB NOT NULL, sex TEXT NOT NULL, birth INTEGER NOT NULL,
                        municipality TEXT NOT NULL, PRIMARY KEY (project, pid)) WITHOUT ROWID;
                    CREATE TABLE fact (
                        project TEXT NOT NULL, pid BLOB NOT NULL, kind TEXT NOT NULL, code TEXT NOT NULL, value REAL,
                        period TEXT NOT NULL);
                    CREATE INDEX fact_by_code ON fact (project, kind, code, period);
                    CREATE INDEX fact_by_person ON fact (project, pid);
                    CREATE TABLE ingest (
                        project TEXT PRIMARY KEY, at TEXT NOT NULL, persons INTEGER NOT NULL, facts INTEGER NOT NULL);
                    """)
        }
        migrator.registerMigration("v2-queries") { db in
            // Every query asked (the project's log), and each one's population (sorted 16-byte pseudonyms) for the
            // differencing check.
            try db.execute(
                sql: """
                    CREATE TABLE query (
                        project TEXT NOT NULL, at TEXT NOT NULL, query TEXT NOT NULL, population INTEGER NOT NULL,
                        cells INTEGER NOT NULL, redacted INTEGER NOT NULL);
                    CREATE INDEX query_by_project ON query (project);
                    CREATE TABLE population (project TEXT NOT NULL, size INTEGER NOT NULL, pids BLOB NOT NULL);
                    CREATE INDEX population_by_size ON population (project, size);
                    """)
        }
        migrator.registerMigration("v3-projects") { db in try db.execute(sql: Self.projectMigration) }
        migrator.registerMigration("v4-opt-outs") { db in
            // Who opted out since a project was last loaded, by the project's pseudonym (and when, in seconds since
            // 1970): a load that had read the citizens' choices before leaves them out all the same.
            try db.execute(
                sql: """
                    CREATE TABLE optout (project TEXT NOT NULL, pid BLOB NOT NULL, at REAL NOT NULL);
                    CREATE INDEX optout_by_project ON optout (project, at);
                    """)
        }
        migrator.registerMigration("v5-packages") { db in try db.execute(sql: Self.packageMigration) }
        try migrator.migrate(pool)
    }

    /// Replaces `project`'s data with what `fill` inserts, in one transaction: if `fill` throws, nothing changes.
    /// `choices` is when the citizens' opt-outs were read for this load: whoever opted out since (`remove`) is left
    /// out of it too.
    @discardableResult
    func replace(
        project: String, at time: Date = Date(), choices: Date = .distantPast,
        _ fill: (_ person: (PersonRow) throws -> Void, _ fact: (FactRow) throws -> Void) throws -> Void
    ) throws -> (persons: Int, facts: Int) {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM fact WHERE project = ?", arguments: [project])
            try db.execute(sql: "DELETE FROM person WHERE project = ?", arguments: [project])
            let person = try db.makeStatement(
                sql: "INSERT OR IGNORE INTO person (project, pid, sex, birth, municipality) VALUES (?, ?, ?, ?, ?)")
            let fact = try db.makeStatement(
                sql: "INSERT INTO fact (project, pid, kind, code, value, period) VALUES (?, ?, ?, ?, ?, ?)")
            var persons = 0
            var facts = 0
            try fill(
                { row in
                    try person.execute(arguments: [project, row.pid, row.sex, row.birth, row.municipality])
                    persons += db.changesCount
                },
                { row in
                    try fact.execute(arguments: [project, row.pid, row.kind, row.code, row.value, row.period])
                    facts += 1
                })
            let since = choices.timeIntervalSince1970
            try db.execute(
                sql: "DELETE FROM fact WHERE project = ? AND pid IN (SELECT pid FROM optout WHERE project = ? AND at >= ?)",
                arguments: [project, project, since])
            facts -= db.changesCount
            try db.execute(
                sql: "DELETE FROM person WHERE project = ? AND pid IN (SELECT pid FROM optout WHERE project = ? AND at >= ?)",
                arguments: [project, project, since])
            persons -= db.changesCount
            try db.execute(sql: "DELETE FROM optout WHERE project = ? AND at < ?", arguments: [project, since])
            try db.execute(
                sql: "INSERT OR REPLACE INTO ingest (project, at, persons, facts) VALUES (?, ?, ?, ?)",
                arguments: [project, FHIRDateTime(date: time, precision: .second).text, persons, facts])
            return (persons, facts)
        }
    }

    /// Removes a citizen who opted out from every project given (by each project's pseudonym of them): their persons
    /// and facts, and their pseudonym from the populations kept for the differencing check; a load running now leaves
    /// them out too. Answers how many projects had them.
    @discardableResult
    public func remove(_ cpr: CPRNumber, keys: [String: ProjectKey], at time: Date = Date()) throws -> Int {
        try pool.write { db in
            var found = 0
            for (project, key) in keys {
                let pid = key.pseudonym(cpr)
                try db.execute(sql: "DELETE FROM fact WHERE project = ? AND pid = ?", arguments: [project, pid])
                try db.execute(sql: "DELETE FROM person WHERE project = ? AND pid = ?", arguments: [project, pid])
                found += db.changesCount
                try db.execute(
                    sql: "INSERT INTO optout (project, pid, at) VALUES (?, ?, ?)",
                    arguments: [project, pid, time.timeIntervalSince1970])
                let rows = try Row.fetchAll(db, sql: "SELECT rowid, pids FROM population WHERE project = ?", arguments: [project])
                for row in rows {
                    let blob: Data = row["pids"]
                    var kept = Data()
                    var changed = false
                    for start in stride(from: 0, to: blob.count, by: 16) {
                        let one = blob.subdata(in: start..<min(start + 16, blob.count))
                        if one == pid { changed = true } else { kept.append(one) }
                    }
                    guard changed else { continue }
                    let rowid: Int64 = row["rowid"]
                    try db.execute(
                        sql: "UPDATE population SET pids = ?, size = ? WHERE rowid = ?",
                        arguments: [kept, kept.count / 16, rowid])
                }
            }
            return found
        }
    }

    /// How many persons and facts a project has, and when it was last loaded.
    public func size(of project: String) throws -> (persons: Int, facts: Int, loaded: String?) {
        try pool.read { db in
            let persons = try Int.fetchOne(db, sql: "SELECT count(*) FROM person WHERE project = ?", arguments: [project]) ?? 0
            let facts = try Int.fetchOne(db, sql: "SELECT count(*) FROM fact WHERE project = ?", arguments: [project]) ?? 0
            let loaded = try String.fetchOne(db, sql: "SELECT at FROM ingest WHERE project = ?", arguments: [project])
            return (persons, facts, loaded)
        }
    }
}
