/// The UI language: Danish by default, English with `--lang en`.
public enum Language: String, Sendable, CaseIterable {
    case da, en
}
