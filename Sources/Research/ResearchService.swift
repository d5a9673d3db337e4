import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Platform
import Synchronization

/// The analysis platform on a node: `GET /research/projects`, public (no token; rate-limited by address like every
/// route), every project with its owner, purpose, legal basis, data, status, approval date and how many queries it
/// has run: the openness about who has access to data, and for what, that the vision promises.
///
/// It also keeps the citizens' opt-outs (EHDS art. 71): when the event engine tells it that a citizen's choices
/// changed (`consent-changed` from a preferences source), it reads them through the gateway and, if the citizen has
/// opted out, removes them from every project's data; a preferences source that does not answer is asked again for
/// up to 50 seconds.
public final class ResearchService: NodeService {
    let gateway: Gateway
    public let store: AnalysisStore
    let keys: ProjectKeys
    let logger: Logger
    private let pending = Mutex<[UUID: Task<Void, Never>]>([:])

    public init(
        gateway: Gateway, store: AnalysisStore, keys: ProjectKeys, logger: Logger = Logger(label: "sundhedscloud.research")
    ) {
        self.gateway = gateway
        self.store = store
        self.keys = keys
        self.logger = logger
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
        addUserRoutes(to: router)
    }

    /// An event the engine stored: a citizen's changed choices are acted on.
    public func stored(_ event: EventRecord) {
        guard event.code == .consentChanged, let text = event.patientCPR, let cpr = try? CPRNumber(text) else { return }
        let id = UUID()
        let task = Task {
            await self.choicesChanged(cpr)
            _ = self.pending.withLock { $0.removeValue(forKey: id) }
        }
        pending.withLock { $0[id] = task }
    }

    /// Reads the citizen's choices and removes them from every project if they opted out; done once it knows.
    func choicesChanged(_ cpr: CPRNumber) async {
        let deadline = ContinuousClock.now + .seconds(50)
        var wait = Duration.seconds(1)
        while !Task.isCancelled {
            do {
                guard try await gateway.researchOptOut(cpr: cpr.value) else { return }
                let keys = try keys.all()
                let found = try store.remove(cpr, keys: keys)
                logger.info("En borger har fravalgt sekundær brug: fjernet fra \(found) af \(keys.count) projekter")
                return
            } catch {
                guard ContinuousClock.now + wait < deadline else {
                    logger.error("En borgers fravalg kunne ikke gennemføres i analyseplatformen: \(error)")
                    return
                }
                try? await Task.sleep(for: wait)
                wait *= 2
            }
        }
    }

    public func started(base: String) {}

    public func shutdown() async {
        let tasks = pending.withLock { Array($0.values) }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }
}
