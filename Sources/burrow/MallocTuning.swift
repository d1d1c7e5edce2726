#if canImport(Glibc)
import Glibc

/// glibc's allocator tuning for the data path. swift-nio-ssh and swift-crypto
/// allocate a fresh buffer per SSH packet (256 KiB here); by default glibc
/// hands such blocks back to the kernel and faults them in again on the next
/// packet. Measured with `perf stat` on `burrow up` during a 5 s iperf3
/// through a tunnel: 1.3 M page faults and 4.9 s of CPU without this,
/// 3.4 K page faults and 1.4 s of CPU with it, for the same bytes.
///
/// The price is memory kept after a burst (`scripts/bench_memory`: nothing
/// came back by itself). `trimWhenQuiet()` pays it back: once the process
/// has been nearly idle for a while after being busy, one `malloc_trim(0)`
/// returns the free memory of every arena — never while traffic flows, so
/// the page faults above stay saved.
enum MallocTuning {
    // <malloc.h> is not part of Swift's Glibc module: look its functions up by name.
    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    private typealias MallocTrim = @convention(c) (Int) -> Int32
    private static let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
    private static let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
    /// Checked this often; CPU below `quietShare` of one core over a period is "quiet".
    static let quietPeriod: Duration = .seconds(2)
    static let quietShare = 0.01

    static func apply() {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(mmapThreshold, 4 << 20)
        _ = mallopt(trimThreshold, 256 << 20)
    }

    /// Runs for the process's life (cancel to end it): after each busy spell,
    /// the first quiet period trims once.
    static func trimWhenQuiet() -> Task<Void, Never> {
        Task.detached(priority: .background) {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
            let trim = unsafeBitCast(symbol, to: MallocTrim.self)
            var last = cpuSeconds()
            var trimmed = true
            while !Task.isCancelled {
                try? await Task.sleep(for: quietPeriod)
                let now = cpuSeconds()
                let busy = now - last > quietShare * quietPeriod.inSeconds
                last = now
                if busy {
                    trimmed = false
                } else if !trimmed {
                    _ = trim(0)
                    trimmed = true
                }
            }
        }
    }

    /// User + system CPU of the whole process so far.
    private static func cpuSeconds() -> Double {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
#else
enum MallocTuning {
    static func apply() {}
    static func trimWhenQuiet() -> Task<Void, Never> { Task {} }
}
#endif
