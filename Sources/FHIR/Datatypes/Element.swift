/// The extension holder of a primitive element (`_name` in JSON), as the Subscriptions Backport uses on
/// `Subscription.criteria` and `Subscription.channel.payload`.
public struct Element: Codable, Sendable, Hashable {
    public var id: String?
    public var `extension`: [Extension]?

    public init(extension: [Extension]? = nil) {
        self.extension = `extension`
    }
}
