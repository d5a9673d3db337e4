import FHIR
import Federation
import Foundation

/// The app for screen readers and pipes: reads a CPR number per line, prints the overview as linear Danish text.
/// No boxes, no colours, no spinners.
public struct PlainSession: Sendable {
    let client: FederatedClient
    let initial: CPRNumber?

    public init(client: FederatedClient, initial: CPRNumber? = nil) {
        self.client = client
        self.initial = initial
    }

    public func run() async -> Int32 {
        func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
        if let initial {
            write(PlainOverviewRenderer().render(await client.overview(cpr: initial)))
            return 0
        }
        write("Overblik. Skriv et CPR-nummer og tryk Enter; tom linje eller q afslutter.\n")
        while true {
            write("CPR: ")
            guard let line = readLine(strippingNewline: true) else { break }
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text == "q" { break }
            do {
                let cpr = try CPRNumber(text)
                write(PlainOverviewRenderer().render(await client.overview(cpr: cpr)))
            } catch {
                write("\(error)\n")
            }
        }
        return 0
    }
}
