#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Short human forms of numbers, for narrow columns.
public enum Format {
    /// 0 B, 999 B, 1.2 KB, 34 KB, 1.5 MB… (powers of 1024).
    public static func bytes(_ value: Double) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var scaled = max(0, value)
        var unit = 0
        while scaled >= 1024, unit < units.count - 1 { scaled /= 1024; unit += 1 }
        if unit == 0 { return "\(Int(scaled)) B" }
        return scaled < 10 ? "\(oneDecimal(scaled)) \(units[unit])" : "\(Int(scaled.rounded())) \(units[unit])"
    }

    public static func bytes(_ value: UInt64) -> String { bytes(Double(value)) }

    public static func rate(_ bytesPerSecond: Double) -> String { bytes(bytesPerSecond) + "/s" }

    /// Compact rate for table cells: 0, 512, 1.2K, 34K, 1.5M (per second).
    public static func compactRate(_ bytesPerSecond: Double) -> String {
        let units = ["", "K", "M", "G"]
        var scaled = max(0, bytesPerSecond)
        var unit = 0
        while scaled >= 1024, unit < units.count - 1 { scaled /= 1024; unit += 1 }
        if unit == 0 { return String(Int(scaled)) }
        return (scaled < 10 ? oneDecimal(scaled) : String(Int(scaled.rounded()))) + units[unit]
    }

    /// 850 µs, 12 ms, 1.3 s, 2m05s.
    public static func duration(milliseconds: Double) -> String {
        if milliseconds < 0.1 { return "\(Int(milliseconds * 1000)) µs" }
        if milliseconds < 1000 { return milliseconds < 10 ? "\(oneDecimal(milliseconds)) ms" : "\(Int(milliseconds.rounded())) ms" }
        return seconds(milliseconds / 1000)
    }

    /// 4.2 s, 3m12s, 2h03m, 1d02h.
    public static func seconds(_ value: Double) -> String {
        // A snapshot taken a moment after the UI's clock read must not show "-1.0 s".
        let value = max(0, value)
        let total = Int(value)
        if value < 60 { return value < 10 ? "\(oneDecimal(value)) s" : "\(total) s" }
        if total < 3600 { return "\(total / 60)m\(pad(total % 60))s" }
        if total < 86400 { return "\(total / 3600)h\(pad(total % 3600 / 60))m" }
        return "\(total / 86400)d\(pad(total % 86400 / 3600))h"
    }

    /// Local wall-clock time of day, HH:MM:SS.
    public static func clock(_ time: Double) -> String {
        var seconds = time_t(time)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return "\(pad(Int(parts.tm_hour))):\(pad(Int(parts.tm_min))):\(pad(Int(parts.tm_sec)))"
    }

    /// "3 s ago", "2m05s ago".
    public static func ago(_ time: Double, now: Double) -> String {
        let delta = max(0, now - time)
        if delta < 1 { return "now" }
        if delta < 60 { return "\(Int(delta)) s ago" }
        return "\(seconds(delta)) ago"
    }

    public static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// Two decimals, for visitors per second.
    public static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(pad(hundredths % 100))"
    }

    static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}
