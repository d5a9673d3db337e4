import FHIR

/// `demo-data/manifest.json`: the demo sources and the synthetic patients the generator made.
public struct DemoManifest: Codable, Sendable {
    public struct Source: Codable, Sendable {
        public var id: String
        public var name: String
        public var sector: String
        public var port: Int
        public var organization: OrganizationRef
        /// `preferences` for the citizens' preferences source; nil (clinical) otherwise.
        public var kind: String?

        public var isClinical: Bool { kind == nil || kind == "clinical" }
    }

    public struct OrganizationRef: Codable, Sendable {
        public var system: String
        public var value: String
        public var name: String
    }

    public struct PatientEntry: Codable, Sendable {
        public var cpr: String
        public var name: String
        public var gender: String
        public var birthDate: String
        public var municipality: String
        /// Source id → the patient's logical id at that source.
        public var sources: [String: String]
        /// Source id → how many resources that source holds on the patient.
        public var resources: [String: Int]
        public var tags: [String]
    }

    public var description: String
    public var generator: String
    /// The day the data was generated as "today"; the demo shifts clinical dates so this becomes the real today.
    public var anchorDate: String
    public var sources: [Source]
    public var patients: [PatientEntry]

    /// The sources of clinical data (not the citizens' preferences).
    public var clinicalSources: [Source] { sources.filter(\.isClinical) }
}
