import FHIR

/// A resource as a demo source holds it: the JSON, its serialized form (written once), its version and the values
/// its search parameters extract. Immutable; a class so a search passes references, not copies of all of it.
public final class StoredResource: Sendable {
    public let type: String
    public let id: String
    public let json: JSONValue
    public let bytes: [UInt8]
    public let versionId: Int
    public let lastUpdated: FHIRDateTime
    let index: [String: [SearchValue]]

    init(json: JSONValue, type: String, id: String, versionId: Int, lastUpdated: FHIRDateTime) {
        var json = json
        var meta = json["meta"]?.objectValue ?? [:]
        meta["versionId"] = .string(String(versionId))
        meta["lastUpdated"] = .string(lastUpdated.text)
        json["meta"] = .object(meta)
        self.type = type
        self.id = id
        self.json = json
        self.bytes = json.serialized()
        self.versionId = versionId
        self.lastUpdated = lastUpdated
        var index: [String: [SearchValue]] = [:]
        for definition in SearchParameterRegistry.parameters(for: type) {
            index[definition.name] = SearchValue.extract(definition, from: json)
        }
        self.index = index
    }

    /// The weak ETag of this version: `W/"3"`.
    public var etag: String { "W/\"\(versionId)\"" }
}
