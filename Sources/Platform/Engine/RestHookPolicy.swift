/// How hard the engine tries a rest-hook endpoint before it marks the subscription in error: one attempt, then one
/// more after each delay. The default keeps trying for about two minutes (HAPI FHIR gives up after about one and
/// drops the notification; we keep it, numbered, for `$events`).
public struct RestHookPolicy: Sendable {
    public var delays: [Duration]
    public var timeout: Duration

    public init(delays: [Duration], timeout: Duration = .seconds(5)) {
        self.delays = delays
        self.timeout = timeout
    }

    public static let standard = RestHookPolicy(
        delays: [
            .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(15), .seconds(30), .seconds(60),
        ])
}
