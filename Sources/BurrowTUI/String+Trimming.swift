/// Small text helpers of the inspector.
extension String {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return String(text)
    }

    /// "64 KB" → "64 KiB": the note names the capture limit exactly.
    var replacingKB: String { hasSuffix(" KB") ? String(dropLast(3)) + " KiB" : self }
}
