import EventStream
import FHIR
import Federation
import Foundation
import Terminal

// The search screen: typing a CPR number or a name, opening a patient.
extension Update {
    /// Typing on the search screen: printable characters go into the input (`Keymap.typedOnSearch`), so a name may
    /// begin with any letter; the list is moved with the arrows, and `:` gives the commands.
    static func searchInput(_ key: Key, _ model: inout Model) -> [Effect]? {
        switch key {
        case .character(let c) where Keymap.typedOnSearch(key, inputEmpty: model.search.input.isEmpty):
            model.search.input.append(c)
            model.search.matches = nil
            model.search.matchesQuery = nil
            return []
        case .backspace:
            if !model.search.input.isEmpty { model.search.input.removeLast() }
            if model.search.input.isEmpty {
                model.search.matches = nil
                model.search.matchesQuery = nil
            }
            return []
        case .control("u"), .control("w"):
            model.search.input = LineEditing.erase(key, in: model.search.input)
            model.search.matches = nil
            model.search.matchesQuery = nil
            return []
        case .escape where !model.search.input.isEmpty || model.search.matches != nil:
            model.search.input = ""
            model.search.matches = nil
            model.search.matchesQuery = nil
            return []
        case .enter:
            let text = model.search.input.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { return nil }  // opens the selected row
            // The results of this very search are shown: Enter opens the selected one.
            if text == model.search.matchesQuery, model.search.matches?.isEmpty == false { return nil }
            if text.first!.isNumber || text.contains("-") && text.count == 11 {
                do {
                    let cpr = try CPRNumber(text)
                    model.search.input = ""
                    return open(cpr, &model)
                } catch {
                    toast("\(model.strings.invalidCPR): \(model.strings.cprProblem(error))", &model)
                    return []
                }
            }
            guard text.count >= 2 else { return [] }
            model.search.matchesQuery = text
            model.search.matches = []
            return [.searchByName(text)]
        default:
            return nil
        }
    }

    static func open(_ cpr: CPRNumber, _ model: inout Model, refresh: Bool = false) -> [Effect] {
        if model.cpr != cpr {
            model.overview = nil
            model.sections.selection = [:]
            model.sections.pane = .conditions
            model.timeline.selection = 0
            model.trends.selection = 0
        }
        model.cpr = cpr
        model.loading = true
        model.filterText = ""
        model.stack = [.search, .overview]
        return [.loadOverview(cpr, refresh: refresh)]
    }
}
