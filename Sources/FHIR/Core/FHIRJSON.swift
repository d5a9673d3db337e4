import Foundation

/// The JSON coders every module uses for FHIR content, configured once.
public enum FHIRJSON {
    /// A decoder for FHIR JSON. Unknown members are ignored by the model types.
    public static func decoder() -> JSONDecoder {
        JSONDecoder()
    }

    /// An encoder giving stable output (sorted keys, no escaped slashes).
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decoder().decode(type, from: data)
    }

    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws -> Data {
        try encoder(pretty: pretty).encode(value)
    }
}
