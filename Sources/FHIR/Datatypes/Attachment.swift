import Foundation

public struct Attachment: Codable, Sendable, Hashable {
    public var contentType: String?
    public var language: String?
    /// Base64-encoded content.
    public var data: String?
    public var url: String?
    public var size: Int?
    public var hash: String?
    public var title: String?
    public var creation: FHIRDateTime?

    public init() {}

    /// The attached text, when the content is inline text (`text/...`) in `data`.
    public var decodedText: String? {
        guard let data, let bytes = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else { return nil }
        if let contentType, !contentType.lowercased().hasPrefix("text/") { return nil }
        return String(data: bytes, encoding: .utf8)
    }
}
