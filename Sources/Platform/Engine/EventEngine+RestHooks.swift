// EventEngine: the rest-hook supervisor: which node delivers, one deliverer per subscription, the POSTs.

import AsyncHTTPClient
import FHIR
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Words

extension EventEngine {
    /// Becomes (or stops being) the node that delivers rest-hook notifications.
    func setRestHookDelivery(_ delivers: Bool) async {
        let changed = state.withLock { state in
            defer { state.deliversRestHooks = delivers }
            return state.deliversRestHooks != delivers
        }
        guard changed else { return }
        if delivers {
            logger.debug("Denne node leverer rest-hook-notifikationer")
            await refreshDeliverers()
        } else {
            let deliverers = state.withLock { state in
                defer { state.deliverers = [:] }
                return Array(state.deliverers.values)
            }
            for deliverer in deliverers { await deliverer.stop() }
        }
    }

    /// Starts a deliverer for every active rest-hook subscription that lacks one (when this node delivers), and
    /// stops those whose subscription is no longer active.
    func refreshDeliverers() async {
        let (start, stop) = state.withLock { state -> ([String], [RestHookDeliverer]) in
            guard state.deliversRestHooks else { return ([], []) }
            let active = Set(
                state.subscriptions.values.filter { $0.channel == .restHook && $0.status == .active }.map(\.id))
            let stale = state.deliverers.filter { !active.contains($0.key) }
            for id in stale.keys { state.deliverers[id] = nil }
            return (active.filter { state.deliverers[$0] == nil }.sorted(), Array(stale.values))
        }
        for deliverer in stop { await deliverer.stop() }
        for id in start { startDeliverer(id) }
    }

    /// True while this node delivers rest-hook notifications.
    public var deliversRestHooks: Bool {
        state.withLock { $0.deliversRestHooks }
    }

    private func startDeliverer(_ id: String) {
        let deliverer = RestHookDeliverer(engine: self, subscriptionID: id)
        let previous = state.withLock { state in
            let previous = state.deliverers[id]
            state.deliverers[id] = deliverer
            return previous
        }
        previous?.cancel()
        deliverer.start()
    }

    func stopDeliverer(_ id: String) async {
        let deliverer = state.withLock { $0.deliverers.removeValue(forKey: id) }
        await deliverer?.stop()
    }

    /// POSTs a handshake; nil when the endpoint accepted it, else why not.
    func handshake(_ record: SubscriptionRecord) async -> String? {
        let bundle = NotificationBundle.build(
            subscription: record, type: "handshake", eventsSinceStart: 0, events: [], engineBase: publicBase)
        return await post(bundle, to: record)
    }

    /// POSTs one notification bundle to a rest-hook endpoint; nil on 2xx, else the failure.
    func post(_ bundle: JSONValue, to record: SubscriptionRecord) async -> String? {
        guard let endpoint = record.endpoint else { return "intet endepunkt" }
        do {
            var request = HTTPClientRequest(url: endpoint)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/fhir+json")
            for header in record.headers {
                guard let colon = header.firstIndex(of: ":") else { continue }
                request.headers.add(
                    name: String(header[..<colon]).trimmingCharacters(in: .whitespaces),
                    value: String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            }
            request.body = .bytes(bundle.serialized())
            let response = try await httpClient.execute(request, timeout: TimeAmount(restHook.timeout))
            _ = try? await response.body.collect(upTo: 1 << 20)
            guard (200..<300).contains(response.status.code) else { return "HTTP \(response.status.code)" }
            return nil
        } catch {
            return Self.describeDeliveryFailure(error, timeout: restHook.timeout)
        }
    }

    /// Why a rest-hook POST failed, in Danish, for the subscription's `error` and the log.
    static func describeDeliveryFailure(_ error: any Error, timeout: Duration) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout:
                let milliseconds = Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
                return "endepunktet " + Phrase.timeout(milliseconds: milliseconds).danish
            case .remoteConnectionClosed:
                return "endepunktet lukkede forbindelsen uden svar"
            default: break
            }
        }
        let text = TextSanitizer.cleanLine(String(describing: error), maxLength: 200)
        if text.lowercased().contains("refused") {
            return "endepunktet afviste forbindelsen"
        }
        return "endepunktet kunne ikke nås (\(text))"
    }
}
