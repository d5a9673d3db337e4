/// Faults a demo source injects, for tests, benchmarks and demos of a slow or broken source.
public struct FaultSettings: Codable, Sendable, Equatable {
    /// What a failing request gets.
    public enum ErrorKind: String, Codable, Sendable, CaseIterable {
        /// HTTP 500 with an OperationOutcome.
        case http500 = "http-500"
        /// HTTP 200 with an HTML page, as a misconfigured proxy sends.
        case html
        /// HTTP 200 with the real answer cut off halfway.
        case truncated
        /// HTTP 200 with a Bundle whose entries are garbage.
        case garbage
        /// No answer at all until the client gives up.
        case hang
    }

    /// Added to every request before it is answered.
    public var latencyMs: Int
    /// Share of requests (0...1) that fail with `errorKind`.
    public var errorRate: Double
    public var errorKind: ErrorKind
    /// Not listening at all: connections are refused.
    public var down: Bool

    public init(latencyMs: Int = 0, errorRate: Double = 0, errorKind: ErrorKind = .http500, down: Bool = false) {
        self.latencyMs = latencyMs
        self.errorRate = errorRate
        self.errorKind = errorKind
        self.down = down
    }

    public static let none = FaultSettings()

    enum CodingKeys: String, CodingKey {
        case latencyMs = "latency_ms"
        case errorRate = "error_rate"
        case errorKind = "error_kind"
        case down
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Reads the control endpoint's JSON. Unknown fields are an error: a misspelt field must not silently clear a
    /// fault that was set before.
    public init(from decoder: any Decoder) throws {
        let known = Set(["latency_ms", "error_rate", "error_kind", "down"])
        let unknown = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue).filter { !known.contains($0) }
        if let first = unknown.first {
            throw FaultSpecError("ukendt felt '\(first)' (kendte: latency_ms, error_rate, error_kind, down)")
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        latencyMs = try container.decodeIfPresent(Int.self, forKey: .latencyMs) ?? 0
        errorRate = try container.decodeIfPresent(Double.self, forKey: .errorRate) ?? 0
        errorKind = try container.decodeIfPresent(ErrorKind.self, forKey: .errorKind) ?? .http500
        down = try container.decodeIfPresent(Bool.self, forKey: .down) ?? false
        try validate()
    }

    public func validate() throws(FaultSpecError) {
        guard latencyMs >= 0, latencyMs <= 600_000 else { throw FaultSpecError("latency skal være 0-600000 ms") }
        guard errorRate >= 0, errorRate <= 1 else { throw FaultSpecError("error-rate skal være mellem 0 og 1") }
    }

    /// Parses `latency=3000,error-rate=0.5,error=html` or `down` (the part after `SOURCE:` on the command line).
    public init(spec: String) throws(FaultSpecError) {
        self.init()
        for item in spec.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let equals = item.firstIndex(of: "=")
            let key = String(item[..<(equals ?? item.endIndex)])
            let value = equals.map { String(item[item.index(after: $0)...]) }
            switch (key, value) {
            case ("down", nil): down = true
            case ("latency", let v?):
                guard let ms = Int(v) else { throw FaultSpecError("latency skal være et antal millisekunder, ikke '\(v)'") }
                latencyMs = ms
            case ("error-rate", let v?):
                guard let rate = Double(v) else { throw FaultSpecError("error-rate skal være et tal mellem 0 og 1, ikke '\(v)'") }
                errorRate = rate
            case ("error", let v?):
                guard let kind = ErrorKind(rawValue: v) else {
                    throw FaultSpecError("error skal være en af \(ErrorKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                errorKind = kind
                if errorRate == 0 { errorRate = 1 }
            default:
                throw FaultSpecError("ukendt fejlindstilling '\(item)' (brug down, latency=MS, error-rate=0..1, error=KIND)")
            }
        }
        try validate()
    }
}

extension FaultSettings {
    /// The `--fault` options of both executables: `SOURCE:spec` each, e.g. `hospital:down`, `gp:latency=3000`.
    public static func parse(options: [String]) throws(FaultSpecError) -> [String: FaultSettings] {
        var result: [String: FaultSettings] = [:]
        for option in options {
            guard let colon = option.firstIndex(of: ":") else {
                throw FaultSpecError("--fault '\(option)': skriv KILDE:indstillinger, fx hospital:down")
            }
            do {
                result[String(option[..<colon])] = try FaultSettings(spec: String(option[option.index(after: colon)...]))
            } catch {
                throw FaultSpecError("--fault '\(option)': \(error)")
            }
        }
        return result
    }
}

public struct FaultSpecError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
