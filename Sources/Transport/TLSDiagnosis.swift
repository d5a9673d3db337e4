import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import Words
import X509

/// Why a server's certificate was not accepted, found out after the fact: a second connection that accepts any
/// certificate only to read the chain the server shows, which is then checked in words (`TLSWords.problem`). Nothing
/// is sent over that connection; it is closed as soon as the handshake is done.
public enum TLSDiagnosis {
    /// The reason as a phrase, or nil if the server cannot be reached or its chain looks right.
    public static func diagnose(
        host: String, port: Int, trust: ClientTLS, timeout: TimeAmount = .seconds(2)
    ) async
        -> Phrase?
    {
        guard let chain = try? await peerChain(host: host, port: port, timeout: timeout) else { return nil }
        let certificates = chain.compactMap { try? Certificate(derEncoded: $0.toDERBytes()) }
        return TLSWords.problem(with: certificates, host: host, roots: trust.caFiles.isEmpty ? nil : trust.roots)
    }

    /// `https://host:port/...` → the reason, as `diagnose`.
    public static func diagnose(url: String, trust: ClientTLS) async -> Phrase? {
        guard let components = URLComponents(string: url), components.scheme == "https", let host = components.host else {
            return nil
        }
        return await diagnose(host: host, port: components.port ?? 443, trust: trust)
    }

    static func peerChain(host: String, port: Int, timeout: TimeAmount) async throws -> [NIOSSLCertificate] {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        let context = try NIOSSLContext(configuration: configuration)
        let captured = Captured()
        let serverName = host.first?.isNumber == true || host.contains(":") ? nil : host
        let channel =
            try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = try NIOSSLClientHandler(
                        context: context, serverHostname: serverName,
                        customVerificationCallback: { certificates, promise in
                            captured.chain.withLock { $0 = certificates }
                            promise.succeed(.certificateVerified)
                        })
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: host, port: port).get() as any Channel
        defer { channel.close(promise: nil) }
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout.nanoseconds / 1_000_000))
        while captured.chain.withLock({ $0.isEmpty }), ContinuousClock.now < deadline, channel.isActive {
            try await Task.sleep(for: .milliseconds(5))
        }
        return captured.chain.withLock { $0 }
    }
}

/// The chain a server showed, handed from the event loop to the waiting task.
private final class Captured: Sendable {
    let chain = Mutex<[NIOSSLCertificate]>([])
}
