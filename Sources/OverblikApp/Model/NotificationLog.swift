/// The notifications on screen, newest first (index 0), at most `capacity` of them. A ring: a new one replaces the
/// oldest in place instead of moving every entry down one, which matters when events arrive hundreds a second.
public struct NotificationLog: RandomAccessCollection, MutableCollection, Sendable, Equatable {
    public static let capacity = 500

    /// Entries in arrival order, overwritten from the oldest once full.
    private var storage: [NotificationEntry] = []
    /// Where the newest entry is in `storage`.
    private var newest = -1

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }

    private func position(_ index: Int) -> Int {
        precondition(index >= 0 && index < storage.count, "NotificationLog index \(index) out of range")
        let position = newest - index
        return position >= 0 ? position : position + storage.count
    }

    public subscript(index: Int) -> NotificationEntry {
        get { storage[position(index)] }
        set { storage[position(index)] = newValue }
    }

    /// Puts `entry` first; the oldest goes when the log is full.
    public mutating func add(_ entry: NotificationEntry) {
        if storage.count < Self.capacity {
            storage.append(entry)
            newest = storage.count - 1
        } else {
            newest = (newest + 1) % storage.count
            storage[newest] = entry
        }
    }

    public static func == (lhs: NotificationLog, rhs: NotificationLog) -> Bool { lhs.elementsEqual(rhs) }
}
