import Foundation

/// The XDG base directories: configuration (keys, sources), cache (the answer cache) and state (logs) live apart.
public enum XDGDirectory: String, Sendable {
    case config = "XDG_CONFIG_HOME"
    case cache = "XDG_CACHE_HOME"
    case state = "XDG_STATE_HOME"
    case data = "XDG_DATA_HOME"

    var fallback: String {
        switch self {
        case .config: return "/.config"
        case .cache: return "/.cache"
        case .state: return "/.local/state"
        case .data: return "/.local/share"
        }
    }

    /// `$XDG_..._HOME/<app>/<name>`, or the XDG default under `$HOME`.
    public func path(
        _ name: String, app: String = "overblik", environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        let base =
            environment[rawValue].flatMap { $0.isEmpty ? nil : $0 } ?? (environment["HOME"] ?? NSHomeDirectory()) + fallback
        return base + "/\(app)/" + name
    }
}
