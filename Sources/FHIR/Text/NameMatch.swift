import Foundation

/// Finding a person by name the way a clinician types it: "Bruno Test Elmer", "bruno elmer", "øster". Every typed
/// word must begin some word of the name (family, given names, text; a double name "Kjærgaard-Østergaard" is two
/// words), in any order, case and accents ignored (Danish letters folded: ø → o, æ → ae, å → a). The demo sources'
/// `name` search and the client's search across sources share it.
public enum NameMatch {
    /// Lower case, accents and Danish letters folded.
    public static func fold(_ text: String) -> String {
        text.lowercased().replacingOccurrences(of: "ø", with: "o").replacingOccurrences(of: "æ", with: "ae")
            .folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "da_DK"))
    }

    /// The words of a name or a query, folded: split at blanks, hyphens and commas.
    public static func words(_ text: String) -> [String] {
        fold(text).split { $0 == " " || $0 == "-" || $0 == "," || $0 == "\t" }.map(String.init)
    }

    /// The words of a HumanName: family, given names and text.
    public static func words(of name: HumanName) -> [String] {
        ([name.family, name.text].compactMap { $0 } + (name.given ?? [])).flatMap(words)
    }

    /// Whether every word of `query` begins some word of `name` (a query without words matches nothing).
    public static func matches(_ query: String, name: [String]) -> Bool {
        let typed = words(query)
        return !typed.isEmpty && typed.allSatisfy { word in name.contains { $0.hasPrefix(word) } }
    }
}
