import FHIR

extension FHIRSourceResponder {
    /// Status and body of an answer made without HTTP.
    package struct OfflineAnswer: Sendable {
        package var status: Int
        package var body: [UInt8]
    }

    /// The base URL offline answers are made for.
    package static let offlineBase = "http://127.0.0.1/fhir"

    /// What a GET of `path` (below the base: `Patient`, `Patient/1000`) with `query` would answer, without HTTP,
    /// faults or latency. For the fuzz targets (`FuzzTargets`), which feed outside bytes to the search-parameter
    /// parsing; the server itself answers through `respond(to:context:)`.
    package func offlineAnswer(get path: String, query: String?, lenient: Bool = false) -> OfflineAnswer {
        let parts = path.split(separator: "/").map(String.init)
        return offline {
            try answer(
                parts: parts, items: QueryString.parse(query), lenient: lenient, base: Self.offlineBase, ifNoneMatch: nil,
                path: "\(basePath)/\(path)")
        }
    }

    /// What `POST [base]` with `body` (a batch Bundle) would answer, without HTTP: for the fuzz targets, as above.
    package func offlineAnswer(batch body: [UInt8], lenient: Bool = false) -> OfflineAnswer {
        offline { try batch(body, lenient: lenient, base: Self.offlineBase) }
    }

    private func offline(_ make: () throws -> Answer) -> OfflineAnswer {
        let answer: Answer
        do {
            answer = try make()
        } catch let error as FHIRError {
            answer = Self.outcomeAnswer(error)
        } catch {
            answer = Self.outcomeAnswer(FHIRError(status: 500, code: "exception", "\(error)"))
        }
        return OfflineAnswer(status: answer.status.code, body: answer.body)
    }
}
