extension StringProtocol {
    /// Without leading and trailing spaces and tabs (not line ends), the way `trimmingCharacters(in: .whitespaces)`
    /// does it but without a round trip through NSString, which is slow on Linux and shows in the event hot path.
    public var trimmingSpaces: SubSequence {
        let isSpace: (Character) -> Bool = { $0.isWhitespace && !$0.isNewline }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        let last = lastIndex(where: { !isSpace($0) }) ?? first
        return self[first...last]
    }
}

extension String {
    /// As for any StringProtocol; most text has nothing to trim, and ASCII ends that are not blanks say so by byte.
    public var trimmingSpaces: Substring {
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 {
            return self[...]
        }
        return self[...].trimmingSpaces
    }
}
