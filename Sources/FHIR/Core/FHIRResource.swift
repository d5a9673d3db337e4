/// A FHIR resource type this module models.
public protocol FHIRResource: Codable, Sendable, Hashable {
    /// The value of `resourceType` in JSON.
    static var resourceType: String { get }
    var id: String? { get set }
    var meta: Meta? { get set }
}

extension FHIRResource {
    /// `Type/id`, the relative reference to this resource.
    public var relativeReference: String? {
        id.map { "\(Self.resourceType)/\($0)" }
    }
}
