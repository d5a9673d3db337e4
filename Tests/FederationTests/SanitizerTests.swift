import FHIR
import Federation
import Testing
import Words

@Suite struct SanitizerTests {
    @Test(arguments: [
        ("Borger \u{1B}[2J\u{1B}[H\u{1B}[31mRØD\u{1B}[0m tekst", "Borger RØD tekst"),
        ("titel \u{1B}]0;hacked title\u{07}slut", "titel slut"),
        ("OSC med ST \u{1B}]8;;http://x\u{1B}\\link\u{1B}]8;;\u{1B}\\", "OSC med ST link"),
        ("C1 \u{9B}31mrød\u{9B}0m og \u{85}NEL", "C1 rød og NEL"),
        ("klokke\u{07}\u{07} backspace\u{08}\u{08} DEL\u{7F}", "klokke backspace DEL"),
        ("retning \u{202E}redrob\u{202C} \u{2066}iso\u{2069} \u{200F}rlm\u{200E} \u{061C}alm", "retning redrob iso rlm alm"),
        ("nul\u{0} og \u{1}\u{2}\u{3} tegn", "nul og tegn"),
        ("Æblegrød på Ærø 中文 😀", "Æblegrød på Ærø 中文 😀"),
    ])
    func removesWhatCouldChangeTheTerminal(input: String, expected: String) {
        let line = TextSanitizer.cleanLine(input)
        #expect(line == expected)
        #expect(TextSanitizer.isClean(line))
    }

    @Test func keepsNewlinesInNotesAndNormalisesThem() {
        #expect(TextSanitizer.clean("linje 1\r\nlinje 2\rlinje 3\nlinje\t4") == "linje 1\nlinje 2\nlinje 3\nlinje 4")
        #expect(TextSanitizer.cleanLine("linje 1\nlinje 2") == "linje 1 linje 2")
    }

    @Test func capsTheLength() {
        let long = String(repeating: "ø", count: 30_000)
        let clean = TextSanitizer.clean(long, maxLength: 100)
        #expect(clean.count == 100)
        #expect(clean.hasSuffix("…"))
    }

    @Test func sanitizesEveryStringOfAResourceButNotBase64() {
        let json = JSONValue.object([
            "resourceType": .string("Communication"),
            "payload": .array([.object(["contentString": .string("hej \u{1B}[2Jdav")])]),
            "content": .array([.object(["attachment": .object(["data": .string("aGVq")])])]),
        ])
        let clean = json.sanitized()
        #expect(clean["payload"]?.arrayValue?.first?["contentString"]?.stringValue == "hej dav")
        #expect(clean["content"]?.arrayValue?.first?["attachment"]?["data"]?.stringValue == "aGVq")
    }
}

@Suite struct NumberFormatTests {
    @Test(arguments: [
        (92.0, "92"), (8.5, "8,5"), (4.25, "4,25"), (0.05, "0,05"), (-2.5, "-2,5"), (139.999, "140"), (1e13, "10000000000000.0"),
    ])
    func danishDecimals(value: Double, text: String) {
        #expect(Catalog.danish.number(value) == text)
        #expect(Catalog.english.number(value) == text.replacingOccurrences(of: ",", with: "."))
    }
}
