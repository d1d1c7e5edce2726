"""The measurements: iperf3, wrk, the connection-rate generator, idle visitors and RSS, perf profiles."""

import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import time

from . import harness
from .harness import IDLE_VISITORS, BenchError, cpu_seconds, log, rss_mb, run, wait_listening
from .report import fmt

def iperf(h, services, port, seconds, parallel=1):
    """Returns (Gbit/s at the receiver, bytes received) or (None, 0)."""
    # iperf3 3.x closes its listening socket while a test runs and reopens it after; the
    # previous test may still be ending on the server side (later still through the delay proxy).
    wait_listening(h, [services.iperf_port], "the iperf3 server to accept a new test", [services.iperf], timeout=15)
    cmd = ["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", str(seconds), "-J"]
    if parallel > 1:
        cmd += ["-P", str(parallel)]
    code, out, err = run(cmd, timeout=seconds + 30, check=False, what="iperf3")
    try:
        data = json.loads(out)
    except ValueError:
        data = {"error": (err or out).strip()[:300] or f"status {code}"}
    if "error" in data or code != 0:
        log(f"iperf3 to port {port} failed: {data.get('error')}; restarting the iperf3 server")
        services.start_iperf()
        return None, 0
    recv = data["end"]["sum_received"]
    return recv["bits_per_second"] / 1e9, recv["bytes"]


def wrk(url, host_header, seconds, threads=None, connections=None):
    cmd = ["wrk", f"-t{threads or harness.WRK_THREADS}", f"-c{connections or harness.WRK_CONNECTIONS}", f"-d{seconds}s",
           "--latency", url]
    if host_header:
        cmd[1:1] = ["-H", f"Host: {host_header}"]
    _, out, _ = run(cmd, timeout=seconds + 30, what="wrk")

    def ms(pct):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return None
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    n_total = int(total.group(1)) if total else 0
    n_bad = int(bad.group(1)) if bad else 0
    n_err = sum(int(x) for x in errs.groups()) if errs else 0
    if not rps or n_total == 0 or n_bad > n_total * 0.01:
        log(f"wrk {url}: {n_total} requests, {n_bad} non-2xx, {n_err} socket errors; result discarded")
        return None
    if n_err:
        log(f"wrk {url}: {n_err} socket errors (kept: {n_total} requests)")
    return {"rps": float(rps.group(1)), "p50_ms": ms(50), "p99_ms": ms(99), "requests": n_total}


def connload(tools, port, seconds, host_header="bench"):
    _, out, _ = run([tools["connload"], "127.0.0.1", str(port), str(harness.CONNLOAD_THREADS), str(seconds), host_header],
                    timeout=seconds + 30, what="connload")
    r = json.loads(out)
    if r["ok"] == 0 or r["errors"] > r["ok"] * 0.01:
        log(f"connload port {port}: {r['ok']} ok, {r['errors']} errors; result discarded")
        return None, 0
    return r["per_s"], r["ok"]


def open_idle_visitors(port, count, timeout=120, host_header="bench"):
    """Opens `count` connections through a mapping (TCP, or HTTP with host_header naming it), each completes one
    request, then stays open."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 256:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 1024), hard))
    socks = []
    deadline = time.monotonic() + timeout
    req = f"GET / HTTP/1.1\r\nHost: {host_header}\r\n\r\n".encode()
    try:
        for _ in range(count):
            if time.monotonic() > deadline:
                raise BenchError(f"opened only {len(socks)} of {count} idle visitors in {timeout} s")
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            socks.append(s)
            s.sendall(req)
            got = b""
            while not got.endswith(b"Hello, world\n"):
                chunk = s.recv(4096)
                if not chunk:
                    raise BenchError(f"idle visitor {len(socks)} was closed before its response")
                got += chunk
    except BaseException:
        for s in socks:
            s.close()
        raise
    return socks


def median(values):
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def profile(h, services, stack, args):
    """perf record on relay and agent during one extra single-stream iperf3 run and one extra wrk run
    (neither counted); writes flat profiles and a per-category summary to args.perf."""
    if shutil.which("perf") is None:
        raise BenchError("--perf needs perf (Debian: apt-get install linux-perf)")
    os.makedirs(args.perf, exist_ok=True)
    phases = [
        ("iperf", lambda: f"single stream {fmt(iperf(h, services, stack.ports['iperf'], args.seconds)[0])} Gb/s"),
        ("http", lambda: "HTTP {} req/s".format(fmt((wrk(f"http://127.0.0.1:{stack.http_port}/", stack.hosts["web"],
                                                          args.seconds) or {}).get("rps"), 0))),
    ]
    for phase, work in phases:
        perfs = []
        for role, proc in (("relay", stack.relay), ("agent", stack.agent)):
            data = os.path.join(args.perf, f"{role}.{phase}.perf.data")
            perfs.append((role, data, h.spawn(f"perf-{role}-{phase}", ["perf", "record", "-F", "499", "-g", "-o", data,
                                                                        "-p", str(proc.pid)])))
        time.sleep(1)
        log(f"  profiled {work()} (not counted)")
        for role, data, p in perfs:
            try:
                os.kill(p.pid, signal.SIGINT)  # perf writes its file on SIGINT
                p.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                h.stop(p)
            if p in h.procs:
                h.procs.remove(p)
            code, out, err = run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "dso,symbol",
                                  "--percent-limit", "0.05", "-g", "none"], timeout=300, check=False, what="perf report")
            if shutil.which("swift"):
                r = subprocess.run(["swift", "demangle", "--simplified"], input=out.encode(), capture_output=True, timeout=120)
                out = r.stdout.decode("utf-8", "replace") if r.returncode == 0 else out
            out = "\n".join(re.sub(r"(\s+-)+\s*$", "", line).rstrip() for line in (out or err).splitlines()) + "\n"
            base = os.path.join(args.perf, f"{role}.{phase}")
            with open(f"{base}.flat.txt", "w") as f:
                f.write(out)
            summary = perf_categories(out)
            with open(f"{base}.summary.txt", "w") as f:
                f.write(summary + "\n")
            log(f"  {role} ({phase}) CPU by category: {summary}  [{base}.flat.txt]")


PERF_CATEGORIES = [  # first match wins; checked against "dso symbol"
    ("AES-GCM", r"aes|gcm|ghash|gfmul|CRYPTO_"),
    ("memmove/memcpy", r"memmove|memcpy|memset"),
    ("kernel: page faults, mm", r"^\[kernel.*(page_fault|do_anonymous|handle_mm|_mm_fault|clear_page|unmap|memcg|"
                                r"mem_cgroup|lruvec|folio|free_pages|freelist|rmqueue|mas_walk|vma|pte_|zap_|mmap|munmap|"
                                r"tlb|lru)"),
    ("kernel: rest (sockets, TCP, scheduler)", r"^\[kernel"),
    ("retain/release", r"swift_retain|swift_release|swift_bridgeObjectRe|swift_unknownObjectRe"),
    ("exclusivity checks", r"AccessSet|swift_beginAccess|swift_endAccess"),
    ("malloc/free", r"malloc|_int_free|_int_malloc|cfree|\bfree\b|swift_allocObject|swift_deallocObject|swift_slowAlloc|swift_slowDealloc"),
    ("other user-space code (NIO, NIOSSH, burrow)", r"."),
]


def perf_categories(report):
    """Sums a flat `perf report` (dso,symbol) into a few categories: where the CPU goes."""
    totals = {name: 0.0 for name, _ in PERF_CATEGORIES}
    for line in report.splitlines():
        m = re.match(r"^\s+([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*)$", line)
        if not m:
            continue
        pct, dso, sym = float(m.group(1)), m.group(2), m.group(3)
        for name, pattern in PERF_CATEGORIES:
            if re.search(pattern, f"{dso} {sym}"):
                totals[name] += pct
                break
    return ", ".join(f"{name} {pct:.0f}%" for name, pct in sorted(totals.items(), key=lambda kv: -kv[1]) if pct >= 0.5) \
        + " of samples"


def measure_rss(make_stack, port_of, host_header, label):
    """A fresh stack from make_stack(): RSS of each side (MiB, every process of it) once idle, then with
    IDLE_VISITORS open idle visitors through port_of(stack). Returns {"server_idle", "client_idle", "server_open",
    "client_open"}."""
    stack = make_stack()
    try:
        time.sleep(2)
        out = {f"{side}_idle": sum(rss_mb(pid) for pid in pids) for side, pids in stack.sides().items()}
        socks = open_idle_visitors(port_of(stack), IDLE_VISITORS, host_header=host_header(stack))
        try:
            time.sleep(2)
            out.update({f"{side}_open": sum(rss_mb(pid) for pid in pids) for side, pids in stack.sides().items()})
        finally:
            for s in socks:
                s.close()
    finally:
        stack.stop()
    log(f"  RSS MiB {label:12s}: server {out['server_idle']:.1f} idle, {out['server_open']:.1f} with {IDLE_VISITORS} "
        f"visitors; client {out['client_idle']:.1f} idle, {out['client_open']:.1f}")
    return out
