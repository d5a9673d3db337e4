import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import Platform

/// The analysis platform on a node: `GET /research/projects`, public (no token; rate-limited by address like every
/// route), every project with its owner, purpose, legal basis, data, status, approval date and how many queries it
/// has run: the openness about who has access to data, and for what, that the vision promises.
public final class ResearchService: NodeService {
    let gateway: Gateway
    public let store: AnalysisStore

    public init(gateway: Gateway, store: AnalysisStore) {
        self.gateway = gateway
        self.store = store
    }

    public func add(to router: Router<PlatformRequestContext>) {
        router.get("/research/projects") { _, context in
            await NodeResponse.answer {
                try self.gateway.admit(user: nil, client: context.remoteAddress?.ipAddress)
                let listing: JSONValue
                do throws(ResearchError) {
                    listing = try self.store.publicListing()
                } catch {
                    throw PlatformError(status: 503, code: "transient", error.phrase)
                }
                return NodeResponse.json(listing)
            }
        }
    }

    public func started(base: String) {}

    public func shutdown() async {}
}
