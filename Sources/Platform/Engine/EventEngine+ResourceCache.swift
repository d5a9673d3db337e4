// EventEngine: focus resources for full-resource payloads, kept in the FocusResourceCache or fetched.

import AsyncHTTPClient
import FHIR
import Foundation
import NIOCore

extension EventEngine {
    func remember(_ resource: JSONValue, at url: String) {
        state.withLock { $0.focusResources.remember(resource, at: url) }
    }

    /// A resource by its absolute URL, only from a registered source; nil if it cannot be had within 3 s.
    func fetch(_ url: String) async -> JSONValue? {
        guard sources.values.contains(where: { url.hasPrefix($0 + "/") }) else { return nil }
        do {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "application/fhir+json")
            let response = try await httpClient.execute(request, timeout: .seconds(3))
            guard response.status == .ok else { return nil }
            let body = try await response.body.collect(upTo: 4 << 20)
            return try JSONValue.parse(Data(buffer: body))
        } catch {
            return nil
        }
    }

    /// Focus resources for full-resource payloads: kept from the notification when it carried them, else fetched.
    func resources(for events: [NumberedEvent]) async -> [String: JSONValue] {
        var found: [String: JSONValue] = [:]
        for numbered in events {
            let focus = numbered.event.focus
            if let known = state.withLock({ $0.focusResources[focus] }) {
                found[focus] = known
            } else if let fetched = await fetch(focus) {
                found[focus] = fetched
                remember(fetched, at: focus)
            }
        }
        return found
    }
}
