import Words

/// How the live event stream stands, for the indicator in the TUI.
public enum ConnectionState: Sendable, Equatable {
    case connecting
    case live
    /// Lost; trying again (attempt number).
    case reconnecting(attempt: Int)
    /// Not reachable for a while (still trying in the background), with why.
    case offline(Phrase)
}

/// What the stream reports.
public enum StreamUpdate: Sendable, Equatable {
    case state(ConnectionState)
    case notification(EventNotification)
}

/// A current access token for the platform (behind a gateway), fetched or renewed as needed.
public typealias AccessToken = @Sendable () async throws -> String
