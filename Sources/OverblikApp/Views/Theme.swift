import Federation
import Terminal

/// Semantic styles for a colour tier. Without colour, emphasis comes from bold, reverse and underline, and every
/// state is also written in words, so nothing depends on colour.
struct Theme {
    let tier: ColorTier

    private func color(_ basic: TermColor, _ rich: TermColor? = nil) -> TermColor? {
        switch tier {
        case .none: return nil
        case .eight, .sixteen: return basic
        case .twoFiftySix: return rich ?? basic
        }
    }

    var plain: Style { .plain }
    var title: Style { Style(foreground: color(.cyan, .palette(75)), bold: true) }
    var header: Style { Style(bold: true) }
    var dim: Style { tier == .none ? .plain : Style(foreground: color(.white, .palette(245)), dim: tier == .eight) }
    var selected: Style { Style(reverse: true) }
    var frame: Style { tier == .none ? .plain : Style(foreground: color(.blue, .palette(240))) }
    var activeFrame: Style { Style(foreground: color(.cyan, .palette(75)), bold: true) }
    var ok: Style { Style(foreground: color(.green, .palette(71))) }
    var warning: Style { Style(foreground: color(.yellow, .palette(178)), bold: true) }
    var error: Style { Style(foreground: color(.red, .palette(167)), bold: true) }
    var flag: Style { Style(foreground: color(.red, .palette(167)), bold: true, underline: tier == .none) }
    var key: Style { Style(foreground: color(.yellow, .palette(179)), bold: true) }
    var bar: Style { Style(reverse: true) }
    var input: Style { Style(underline: true) }

    func state(_ state: SourceStatus.State) -> Style {
        switch state {
        case .ok, .cached: return ok
        case .notFound, .loading: return dim
        case .stale: return warning
        case .timedOut, .error, .denied: return error
        case .withheld: return warning
        }
    }
}
