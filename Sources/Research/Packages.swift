import FHIR
import Foundation
import GRDB

/// A project's data packages: its queries saved by name, to be asked again as the data is loaded again (each time
/// through the same approval check, differencing check and disclosure control as any query). Listed with the project
/// for everyone: what a project takes out is public, not only what it applied for.
extension AnalysisStore {
    static let packageMigration = """
        CREATE TABLE package (
            project TEXT NOT NULL, name TEXT NOT NULL, query TEXT NOT NULL, saved TEXT NOT NULL,
            PRIMARY KEY (project, name)) WITHOUT ROWID;
        """

    /// Saves `query` as the package `name` (3 to 40 of `a-z 0-9 -`) of `project`, replacing one of that name.
    public func save(_ query: StatisticsQuery, as name: String, project: String, at time: Date = Date()) throws(ResearchError) {
        try Self.checkPackageName(name)
        let query = try query.validated()
        do {
            let text = String(decoding: try Self.encoder.encode(query), as: UTF8.self)
            try pool.write { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO package (project, name, query, saved) VALUES (?, ?, ?, ?)",
                    arguments: [project, name, text, FHIRDateTime(date: time, precision: .second).text])
            }
        } catch {
            throw ResearchError("research.store-failed", ["detail": .text("\(error)")])
        }
    }

    /// A package's name: 3 to 40 of `a-z 0-9 -`.
    public static func checkPackageName(_ name: String) throws(ResearchError) {
        guard (3...40).contains(name.count),
            name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" })
        else { throw ResearchError("research.bad-package-name", ["name": .text(String(name.prefix(40)))]) }
    }

    /// The project's packages by name.
    public func packages(_ project: String) throws(ResearchError) -> [(name: String, query: StatisticsQuery)] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT name, query FROM package WHERE project = ? ORDER BY name", arguments: [project])
                    .compactMap { row in
                        let text: String = row["query"]
                        guard let query = try? Self.decoder.decode(StatisticsQuery.self, from: Data(text.utf8)) else {
                            return nil
                        }
                        return (row["name"], query)
                    }
            }
        } catch {
            throw ResearchError("research.store-failed", ["detail": .text("\(error)")])
        }
    }

    /// One package's query; an error in words when the project has none of that name.
    public func package(_ name: String, project: String) throws(ResearchError) -> StatisticsQuery {
        guard let query = try packages(project).first(where: { $0.name == name })?.query else {
            throw ResearchError("research.no-package", ["name": .text(String(name.prefix(40))), "id": .text(project)])
        }
        return query
    }
}
