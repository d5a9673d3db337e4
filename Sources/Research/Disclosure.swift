import Foundation

/// Statistical disclosure control, OpenSAFELY's rules (the strictest common anchor): a cell describing 7 or fewer
/// individuals is redacted (0 too: "none" is a statement about individuals); every count is rounded to the nearest 5;
/// totals are made from the rounded cells; and secondary suppression redacts more cells until no row or column has
/// exactly one redacted cell, so that a redacted cell cannot be recovered from its row's or column's total. A mean,
/// median or proportion is shown only where its count is, and is redacted with it.
public enum Disclosure {
    public static let threshold = 7
    public static let rounding = 5

    /// `count` rounded to the nearest 5 (halves up: 12.5 cannot happen for integers; 8 → 10, 12 → 10, 13 → 15).
    public static func rounded(_ count: Int) -> Int { ((count + rounding / 2) / rounding) * rounding }

    /// Whether a statistic of `individuals` people may be shown.
    public static func shown(individuals: Int) -> Bool { individuals > threshold }

    /// A grid's cells (row key, column key) → individuals: which are redacted, first by the threshold, then by
    /// secondary suppression (in every row and column with exactly one redacted cell, the smallest other cell with
    /// individuals is redacted too, until none is left alone; a row or column whose cells are all redacted is
    /// done). Cells absent from the grid count as 0 individuals, and so as redacted.
    public static func redacted(
        rows: [String], columns: [String], individuals: [Key: Int]
    ) -> Set<Key> {
        var redacted: Set<Key> = []
        for row in rows {
            for column in columns where !shown(individuals: individuals[Key(row, column)] ?? 0) {
                redacted.insert(Key(row, column))
            }
        }
        // A one-column (or one-row) grid has no margin to recover a cell from, unless the other dimension has a
        // total: with a single column, the rows' total is the column total.
        var changed = true
        while changed {
            changed = false
            let lines: [[Key]] =
                rows.map { row in columns.map { Key(row, $0) } } + columns.map { column in rows.map { Key($0, column) } }
            for line in lines where line.count > 1 {
                let hidden = line.filter(redacted.contains)
                guard hidden.count == 1 else { continue }
                let candidates = line.filter { !redacted.contains($0) }
                guard
                    let next = candidates.min(by: {
                        (individuals[$0] ?? 0, $0.row, $0.column) < (individuals[$1] ?? 0, $1.row, $1.column)
                    })
                else { continue }
                redacted.insert(next)
                changed = true
            }
        }
        return redacted
    }

    public struct Key: Hashable, Sendable, Comparable {
        public let row: String
        public let column: String
        public init(_ row: String, _ column: String) {
            self.row = row
            self.column = column
        }
        public static func < (a: Key, b: Key) -> Bool { (a.row, a.column) < (b.row, b.column) }
    }
}
