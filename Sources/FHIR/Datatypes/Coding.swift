public struct Coding: Codable, Sendable, Hashable {
    public var system: String?
    public var version: String?
    public var code: String?
    public var display: String?
    public var userSelected: Bool?

    public init(system: String? = nil, code: String? = nil, display: String? = nil) {
        self.system = system
        self.code = code
        self.display = display
    }
}
