import FHIR
import Testing

struct DanishDurationTests {
    @Test(arguments: [
        (Duration.seconds(5), "5 s"),
        (.milliseconds(300), "0,3 s"),
        (.milliseconds(1500), "1,5 s"),
        (.milliseconds(1960), "2 s"),
        (.milliseconds(49), "0 s"),
        (.seconds(120), "120 s"),
    ])
    func secondsWithADecimalComma(duration: Duration, text: String) {
        #expect(DanishDuration.seconds(duration) == text)
    }
}
