import DemoSources
import FHIR
import Foundation

/// A small demo source for the search and batch targets: the first few resources of each of the hospital's and
/// the GP's files in demo-data (none when demo-data cannot be found; the parsing is exercised all the same).
enum SourceFixture {
    static let types = [
        "Patient", "Encounter", "Condition", "Observation", "Appointment", "MedicationStatement", "AllergyIntolerance",
        "DocumentReference", "Organization", "Practitioner",
    ]

    static let responder: FHIRSourceResponder = {
        var resources: [JSONValue] = []
        if let directory = DemoDataSet.locateDirectory() {
            for source in ["hospital", "gp"] {
                for type in types {
                    let file = directory.appendingPathComponent(source).appendingPathComponent("\(type).ndjson")
                    guard let data = try? Data(contentsOf: file) else { continue }
                    for line in data.split(separator: UInt8(ascii: "\n")).prefix(4) {
                        if let json = try? JSONValue.parse(Data(line)) { resources.append(json) }
                    }
                }
            }
        }
        let store: ResourceStore
        do {
            store = try ResourceStore(resources: resources, supportedTypes: Set(types))
        } catch {
            fatalError("the fuzz source's store could not be made: \(error)")
        }
        return FHIRSourceResponder(sourceID: "fuzz", sourceName: "Fuzz", store: store, faults: FaultControl())
    }()
}
