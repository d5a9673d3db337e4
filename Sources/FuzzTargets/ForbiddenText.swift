/// What sanitized text must never hold, written independently of `TextSanitizer` so that the two check each other:
/// C0 controls (a newline only where the text keeps them), DEL, C1 controls (U+0080–009F, the 8-bit CSI and OSC
/// among them), and the direction controls U+202A–202E, U+2066–2069, U+200E, U+200F, U+061C. ESC is a C0 control,
/// so no escape sequence can start in clean text.
enum ForbiddenText {
    static func isForbidden(_ value: UInt32, newlines: Bool) -> Bool {
        if value == 0x0A { return !newlines }
        return value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) || (0x202A...0x202E).contains(value)
            || (0x2066...0x2069).contains(value) || value == 0x200E || value == 0x200F || value == 0x061C
    }

    /// The first forbidden scalar in `text` (as U+XXXX at its position), or nil.
    static func first(in text: String, newlines: Bool) -> String? {
        for (position, scalar) in text.unicodeScalars.enumerated() where isForbidden(scalar.value, newlines: newlines) {
            return "U+" + String(scalar.value, radix: 16, uppercase: true) + " at scalar \(position)"
        }
        return nil
    }
}
