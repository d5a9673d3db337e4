/// A duration as Danish text for messages: "5 s", "0,3 s", "1,5 s" (to a tenth of a second).
public enum DanishDuration {
    public static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let tenths = Int64((Double(seconds) * 10 + Double(attoseconds) / 1e17).rounded())
        let whole = tenths / 10
        let fraction = abs(tenths % 10)
        return fraction == 0 ? "\(whole) s" : "\(whole),\(fraction) s"
    }
}
