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
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import ab_stacks  # noqa: E402
from bench_lib.harness import cpu_seconds, log  # noqa: E402
from bench_lib.measure import connload  # noqa: E402


def top_lines(text, n):
    rows = [line.rstrip(" -") for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
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
    h, tools, stacks = ab_stacks.start(args.bins)
    for label, s in stacks.items():
        for kind, port, host in (("http", s.http_port, s.hosts["web"]), ("tcp", s.ports["raw"], "bench")):
            # Warm up (first channels, allocator arenas) before measuring.
            connload(tools, port, 1, host)
            for _ in range(1 if not args.no_perf else args.repeat):
                perfs = [] if args.no_perf else ab_stacks.perf_record(
                    h, args.outdir, f"{label}.{kind}", (("relay", s.relay), ("agent", s.agent)))
                if perfs:
                    time.sleep(1)
                c0 = cpu_seconds([s.relay.pid]), cpu_seconds([s.agent.pid])
                rate, n = connload(tools, port, args.seconds, host)
                c1 = cpu_seconds([s.relay.pid]), cpu_seconds([s.agent.pid])
                reports = ab_stacks.perf_stop(h, perfs) if perfs else []
                if not rate:
                    log(f"{label} {kind}: connload failed")
                    continue
                print(f"== {label} {kind}: {rate:.0f} new conn/s{'' if args.no_perf else ' (under perf)'}, relay "
                      f"{(c1[0] - c0[0]) / n * 1e6:.0f} µs + agent {(c1[1] - c0[1]) / n * 1e6:.0f} µs per connection"
                      f"  (load {os.getloadavg()[0]:.2f})")
                for role, _, text in reports:
                    with open(os.path.join(args.outdir, f"{label}.{kind}.{role}.flat.txt"), "w") as f:
                        f.write(text)
                    if role == "relay":
                        print("\n".join(top_lines(text, args.top)))
                sys.stdout.flush()
    print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
