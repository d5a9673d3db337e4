/// Rules for FHIR logical ids: 1-64 characters of A-Z, a-z, 0-9, '-' and '.'.
public enum FHIRID {
    public static func isValid(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= 64 else { return false }
        return id.utf8.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 45 || byte == 46
        }
    }
}
