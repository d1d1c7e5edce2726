import BurrowCore
import Testing

/// The one case-insensitive comparison of HTTP field names and tokens that
/// the relay's and the agent's head readers share.
@Suite struct ASCIICaseTests {
    @Test func anyASCIICaseMatchesTheLowercaseWord() {
        for spelling in ["host", "Host", "HOST", "hOsT"] {
            #expect(ASCIICase.equals(spelling.utf8, lowercase: "host"), "\(spelling)")
        }
        #expect(ASCIICase.equals(Array("Transfer-Encoding".utf8), lowercase: "transfer-encoding"))
    }

    @Test func otherLengthsAndOtherBytesDoNotMatch() {
        for other in ["hos", "hosts", "h0st", "", "hóst", "HOST "] {
            #expect(!ASCIICase.equals(other.utf8, lowercase: "host"), "\(other)")
        }
        // Only A-Z fold: '@' and '[' sit beside them and are not '`' and '{'.
        #expect(!ASCIICase.equals("@".utf8, lowercase: "`"))
        #expect(!ASCIICase.equals("[".utf8, lowercase: "{"))
    }

    @Test func foldingTouchesOnlyTheCapitalLetters() {
        for byte in UInt8.min...UInt8.max {
            let expected = (65...90).contains(byte) ? byte + 32 : byte
            #expect(ASCIICase.folded(byte) == expected, "\(byte)")
        }
    }
}
