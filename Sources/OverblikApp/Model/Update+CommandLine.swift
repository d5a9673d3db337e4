import EventStream
import FHIR
import Federation
import Foundation
import Terminal

// The filter being typed (/) and the command line (:), with its commands by unique prefix.
extension Update {
    // MARK: - Filter and command line

    static func filterKey(_ key: Key, _ model: inout Model) -> [Effect] {
        switch key {
        case .character(let c): model.filterText.append(c)
        case .backspace: if !model.filterText.isEmpty { model.filterText.removeLast() }
        case .control("u"), .control("w"): model.filterText = LineEditing.erase(key, in: model.filterText)
        case .enter: model.filterEditing = false
        case .escape:
            model.filterEditing = false
            model.filterText = ""
        default: break
        }
        clampSelections(&model)
        return []
    }

    static func commandKey(_ key: Key, _ model: inout Model) -> [Effect] {
        switch key {
        case .character(let c):
            model.command?.append(c)
        case .backspace:
            if model.command?.isEmpty == true { model.command = nil } else { model.command?.removeLast() }
        case .control("u"), .control("w"):
            model.command = LineEditing.erase(key, in: model.command ?? "")
        case .escape:
            model.command = nil
        case .enter:
            let line = model.command ?? ""
            model.command = nil
            return run(command: line, &model)
        default:
            break
        }
        return []
    }

    /// Commands by unique prefix, in Danish or English: `:p 2509479989`, `:tid`, `:quit`.
    static let commands: [(names: [String], action: Action?)] = [
        (["patient", "p"], nil),
        (["tidslinje", "timeline"], .timeline),
        (["laboratorie", "lab", "trends"], .trends),
        (["notifikationer", "notifications"], .notifications),
        (["hjælp", "help"], .help),
        (["søg", "find", "search"], .search),
        (["opdater", "refresh"], .refresh),
        (["quit", "afslut", "exit"], .quit),
        (["værdispring", "vaerdispring", "emergency"], .emergency),
        (["log", "minlog", "adgangslog"], .accessLog),
        (["vaccinationer", "vacc", "vaccinations"], .section9),
        (["medicin", "medication"], .section5),
        (["allergier", "allergies"], .section8),
        (["resumé", "resume", "summary", "ips"], .summary),
        (["eksporter", "export"], .export),
        (["apps", "appstore", "apper"], .apps),
        // The citizen's opt-out of secondary use (run by its name below, like `:værdispring`).
        (["fravalg", "opt-out", "optout"], nil),
    ]

    static func run(command line: String, _ model: inout Model) -> [Effect] {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        guard let word = parts.first?.lowercased(), !word.isEmpty else { return [] }
        let exact = commands.filter { $0.names.contains(word) }
        let candidates = exact.isEmpty ? commands.filter { $0.names.contains { $0.hasPrefix(word) } } : exact
        guard candidates.count == 1, let command = candidates.first else {
            let names = candidates.map { $0.names[0] }.joined(separator: ", ")
            toast(
                candidates.isEmpty ? "\(model.strings.unknownCommand): \(word)" : "\(model.strings.ambiguousCommand): \(names)",
                &model)
            return []
        }
        if command.action == .emergency {
            return emergency(reason: parts.count > 1 ? parts[1] : "", &model)
        }
        if command.names[0] == "fravalg" {
            return researchOptOut(parts.count > 1 ? parts[1] : "", &model)
        }
        guard let action = command.action else {
            // :p CPR opens a patient.
            guard parts.count > 1, let cpr = try? CPRNumber(parts[1]) else {
                toast("\(model.strings.invalidCPR): \(parts.count > 1 ? parts[1] : "")", &model)
                return []
            }
            return open(cpr, &model)
        }
        if action.sectionIndex != nil, model.stack.contains(.overview) {
            // A section by name (`:vacc`) from any screen over the patient's overview: back to it, on that section.
            while model.screen != .overview { model.stack.removeLast() }
        }
        return perform(action, &model)
    }

    /// `:fravalg` tells the citizen whether their data may be used for research and statistics; `:fravalg ja` opts
    /// out (EHDS art. 71), `:fravalg nej` withdraws it (English: `:opt-out yes|no`). Only a citizen signed in at a
    /// gateway has the choice.
    static func researchOptOut(_ argument: String, _ model: inout Model) -> [Effect] {
        guard model.viaGateway, model.role == "citizen" else {
            toast(model.strings.text("opt-out.citizens-only"), &model)
            return []
        }
        switch argument.trimmingCharacters(in: .whitespaces).lowercased() {
        case "": return [.researchOptOut(nil)]
        case "ja", "yes", "j", "y", "on": return [.researchOptOut(true)]
        case "nej", "no", "n", "off": return [.researchOptOut(false)]
        default:
            toast(model.strings.text("opt-out.usage"), &model)
            return []
        }
    }
}
