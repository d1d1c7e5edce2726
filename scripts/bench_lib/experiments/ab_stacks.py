"""What the A/B experiments here share: one relay + agent per binary, and perf around a load.

start(bins): the harness (cleaned up at exit), the compiled bench tools and, per LABEL=BINARY, a BurrowStack
with an HTTP mapping ("web") and a TCP mapping ("raw") to the bench's C HTTP server.
perf_record / perf_stop: `perf record -F 999 -g` on processes while a load runs, then a flat report
(symbols demangled) per recording.
"""

import atexit
import os
import subprocess

from bench_lib.harness import Harness, run
from bench_lib.setup import compile_tools, ensure_tools
from bench_lib.stacks import BurrowStack, Services


def start(bins):
    h = Harness(False)
    atexit.register(h.cleanup)
    ensure_tools()  # iperf3, wrk, gcc…: installed when missing, or named, as scripts/bench does
    tools = compile_tools(h)
    services = Services(h, tools)
    stacks = {}
    for item in bins:
        label, binary = item.split("=", 1)
        stacks[label] = BurrowStack(h, tools, os.path.abspath(binary), label,
                                    [("web", "http", services.http_port), ("raw", "tcp", services.http_port)],
                                    "burrow")
    return h, tools, stacks


def perf_record(h, outdir, name, roles):
    """roles: (role, process) pairs; returns the recordings to pass to perf_stop."""
    perfs = []
    for role, proc in roles:
        data = os.path.join(outdir, f"{name}.{role}.perf.data")
        perfs.append((role, data, h.spawn(f"perf-{name}-{role}", [
            "perf", "record", "-F", "999", "-g", "-o", data, "-p", str(proc.pid)])))
    return perfs


def perf_stop(h, perfs):
    """Stops the recordings; returns (role, data path, flat report text) for each."""
    for _, _, p in perfs:
        p.send_signal(2)
        p.wait(timeout=60)
        h.procs.remove(p)
    reports = []
    for role, data, _ in perfs:
        _, out, _ = run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "symbol",
                         "--percent-limit", "0.3", "-g", "none"], timeout=300, check=False)
        dm = subprocess.run(["swift", "demangle", "--simplified"], input=out.encode(), capture_output=True)
        reports.append((role, data, dm.stdout.decode("utf-8", "replace")))
    return reports
