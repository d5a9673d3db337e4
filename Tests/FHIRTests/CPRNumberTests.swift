import FHIR
import Testing

@Suite struct CPRNumberTests {
    @Test func acceptsWithAndWithoutDash() throws {
        #expect(try CPRNumber("2509479989").value == "2509479989")
        #expect(try CPRNumber("250947-9989").value == "2509479989")
        #expect(try CPRNumber("2509479989").formatted == "250947-9989")
    }

    @Test func rejectsWrongNumbersWithADanishMessage() {
        #expect(throws: CPRNumber.ValidationError.wrongLength("12345")) { try CPRNumber("12345") }
        #expect(throws: CPRNumber.ValidationError.notDigits("25094799x9")) { try CPRNumber("25094799x9") }
        #expect(throws: CPRNumber.ValidationError.noSuchDate("3102479989")) { try CPRNumber("3102479989") }
        let message = String(describing: CPRNumber.ValidationError.wrongLength("12345"))
        #expect(message.contains("10 cifre"))
    }

    @Test func readsBirthDateCenturyAndGender() throws {
        let bruno = try CPRNumber("2509479989")
        #expect(bruno.birthDateComponents?.year == 1947)
        #expect(bruno.gender == "male")
        let nancy = try CPRNumber("2512489996")
        #expect(nancy.gender == "female")
        // Serial 9xxx with year <= 36 is in the 2000s.
        #expect(try CPRNumber("0405109900").birthDateComponents?.year == 2010)
    }

    @Test func medComTestNumbersFailModulus11() throws {
        for text in ["2512489996", "0201609995", "2509479989", "1509819996"] {
            let number = try CPRNumber(text)
            #expect(number.isTestNumber, "\(text)")
            #expect(!number.passesModulus11)
        }
    }
}
