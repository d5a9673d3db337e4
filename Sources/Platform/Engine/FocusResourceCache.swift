// FocusResourceCache: the focus resources the engine has at hand, by absolute URL, the oldest dropped first.

import FHIR

/// Focus resources by their absolute URL, for full-resource payloads: kept from the notification that carried them,
/// or fetched once. When more than `capacity` are kept, the one kept first is dropped. A value: the engine keeps it
/// in its state, under the state's lock.
struct FocusResourceCache: Sendable {
    /// How many resources are kept at most.
    static let capacity = 2000

    private var resources: [String: JSONValue] = [:]
    /// The URLs in the order they were first kept, oldest first.
    private var order: [String] = []

    /// The resource kept for `url`, if any.
    subscript(url: String) -> JSONValue? { resources[url] }

    /// Keeps `resource` for `url` (in place of what was kept for it), dropping the oldest when over capacity.
    mutating func remember(_ resource: JSONValue, at url: String) {
        if resources.updateValue(resource, forKey: url) == nil { order.append(url) }
        if order.count > Self.capacity {
            let old = order.removeFirst()
            resources[old] = nil
        }
    }
}
