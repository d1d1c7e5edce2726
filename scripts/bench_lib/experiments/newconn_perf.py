#!/usr/bin/env python3
"""Where a new visitor connection's CPU goes (issue 15): perf profiles of relay and agent under connload.

    python3 scripts/bench_lib/experiments/newconn_perf.py [--seconds 8] [--top 15] OUTDIR LABEL=BINARY ...

For each binary: one relay and one agent with an HTTP mapping and a TCP mapping to the bench's C HTTP
server (as http_ab.py). For each mapping, `perf record -F 999 -g` on the relay and on the agent while the
bench's connload opens a new connection per request; flat reports (symbols demangled) go to
OUTDIR/LABEL.{http,tcp}.{relay,agent}.flat.txt and the top of each relay report is printed, with the rate
and tunnel CPU µs per new connection of that (profiled, so slower) run. Every process it starts is
stopped when it exits.
"""

import argparse
import atexit
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from bench_lib.harness import Harness, cpu_seconds, log, run  # noqa: E402
from bench_lib.measure import connload  # noqa: E402
from bench_lib.setup import compile_tools  # noqa: E402
from bench_lib.stacks import BurrowStack, Services  # noqa: E402


def flat_report(data):
    _, out, _ = run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "symbol",
                     "--percent-limit", "0.3", "-g", "none"], timeout=300, check=False)
    dm = subprocess.run(["swift", "demangle", "--simplified"], input=out.encode(), capture_output=True)
    return dm.stdout.decode("utf-8", "replace")


def top_lines(text, n):
    rows = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return rows[:n]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--no-perf", action="store_true", help="only the rates and CPU split, unprofiled")
    ap.add_argument("--repeat", type=int, default=1, help="runs per mapping (with --no-perf)")
    ap.add_argument("outdir")
    ap.add_argument("bins", nargs="+", metavar="LABEL=BINARY")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    h = Harness(False)
    atexit.register(h.cleanup)
    tools = compile_tools(h)
    services = Services(h, tools)
    for item in args.bins:
        label, binary = item.split("=", 1)
        s = BurrowStack(h, tools, os.path.abspath(binary), label,
                        [("web", "http", services.http_port), ("raw", "tcp", services.http_port)], "burrow")
        for kind, port, host in (("http", s.http_port, s.hosts["web"]), ("tcp", s.ports["raw"], "bench")):
            # Warm up (first channels, allocator arenas) before profiling.
            connload(tools, port, 1, host)
            if args.no_perf:
                for _ in range(args.repeat):
                    c0 = cpu_seconds([s.relay.pid]), cpu_seconds([s.agent.pid])
                    rate, n = connload(tools, port, args.seconds, host)
                    c1 = cpu_seconds([s.relay.pid]), cpu_seconds([s.agent.pid])
                    if rate:
                        print(f"== {label} {kind}: {rate:.0f} new conn/s, relay {(c1[0] - c0[0]) / n * 1e6:.0f} µs"
                              f" + agent {(c1[1] - c0[1]) / n * 1e6:.0f} µs per connection  (load {os.getloadavg()[0]:.2f})")
                        sys.stdout.flush()
                continue
            perfs = []
            for role, proc in (("relay", s.relay), ("agent", s.agent)):
                data = os.path.join(args.outdir, f"{label}.{kind}.{role}.perf.data")
                perfs.append((role, data, h.spawn(f"perf-{label}-{kind}-{role}", [
                    "perf", "record", "-F", "999", "-g", "-o", data, "-p", str(proc.pid)])))
            time.sleep(1)
            c0 = cpu_seconds([s.relay.pid]), cpu_seconds([s.agent.pid])
            rate, n = connload(tools, port, args.seconds, host)
            c1 = cpu_seconds([s.relay.pid]), cpu_seconds([s.agent.pid])
            for role, data, p in perfs:
                p.send_signal(2)
                p.wait(timeout=60)
                h.procs.remove(p)
            if not rate:
                log(f"{label} {kind}: connload failed")
                continue
            relay_us, agent_us = (c1[0] - c0[0]) / n * 1e6, (c1[1] - c0[1]) / n * 1e6
            print(f"== {label} {kind}: {rate:.0f} new conn/s (under perf), relay {relay_us:.0f} µs + agent {agent_us:.0f} µs per connection")
            for role, data, _ in perfs:
                text = flat_report(data)
                with open(os.path.join(args.outdir, f"{label}.{kind}.{role}.flat.txt"), "w") as f:
                    f.write(text)
                if role == "relay":
                    print("\n".join(top_lines(text, args.top)))
            sys.stdout.flush()
    print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
