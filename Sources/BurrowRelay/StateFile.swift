import Foundation

/// Atomic writes for the relay's state files: a temp file in the same
/// directory, fsync, rename — a crash leaves the old file or the new one.
enum StateFile {
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let temp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw POSIXFailure(call: "open", path: temp) }
        var ok = bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 { if errno == EINTR { continue }; return false }
                offset += written
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(temp, path) == 0 else {
            let failure = POSIXFailure(call: "write", path: path)
            unlink(temp)
            throw failure
        }
    }
}

struct POSIXFailure: Error, CustomStringConvertible {
    let call: String
    let path: String
    let code: Int32

    init(call: String, path: String) {
        self.call = call
        self.path = path
        self.code = errno
    }

    var description: String { "\(call) '\(path)': \(String(cString: strerror(code)))" }
}
