#!/usr/bin/env python3
"""A/B of the cost of a new visitor connection between burrow binaries (issue 15), relay and agent apart.

    python3 scripts/bench_lib/experiments/newconn_ab.py [--rounds 5] [--seconds 4] LABEL=BINARY ...

For each binary: one relay and one agent with an HTTP mapping and a TCP mapping to the bench's C HTTP
server (as http_ab.py). Rounds alternate between the binaries (starting one later each round); each
round runs the bench's connload (a new connection per request) through each mapping and reads the
relay's and the agent's CPU time and write-like syscalls from /proc. Prints per binary and mapping the medians of new
connections/s and of relay and agent CPU µs per new connection. Every process it starts is stopped
when it exits.
"""

import argparse
import os
import statistics
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import ab_stacks  # noqa: E402
from bench_lib.harness import cpu_seconds, log  # noqa: E402
from bench_lib.measure import connload  # noqa: E402


def syscalls(pid):
    """write-like and read-like syscalls of the process so far (/proc/PID/io)."""
    with open(f"/proc/{pid}/io") as f:
        fields = dict(line.split(": ") for line in f.read().splitlines())
    return int(fields["syscw"]), int(fields["syscr"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("bins", nargs="+", metavar="LABEL=BINARY")
    args = ap.parse_args()
    _, tools, stacks = ab_stacks.start(args.bins)
    res = {(label, kind): {"rate": [], "relay": [], "agent": [], "rw": [], "aw": []} for label in stacks for kind in ("http", "tcp")}
    labels = list(stacks)
    for r in range(args.rounds):
        order = labels[r % len(labels):] + labels[:r % len(labels)]
        for label in order:
            s = stacks[label]
            for kind, port, host in (("http", s.http_port, s.hosts["web"]), ("tcp", s.ports["raw"], "bench")):
                c0 = cpu_seconds([s.relay.pid]), cpu_seconds([s.agent.pid])
                w0 = syscalls(s.relay.pid)[0], syscalls(s.agent.pid)[0]
                rate, n = connload(tools, port, args.seconds, host)
                c1 = cpu_seconds([s.relay.pid]), cpu_seconds([s.agent.pid])
                w1 = syscalls(s.relay.pid)[0], syscalls(s.agent.pid)[0]
                if not rate:
                    continue
                d = res[(label, kind)]
                d["rate"].append(rate)
                d["relay"].append((c1[0] - c0[0]) / n * 1e6)
                d["agent"].append((c1[1] - c0[1]) / n * 1e6)
                d["rw"].append((w1[0] - w0[0]) / n)
                d["aw"].append((w1[1] - w0[1]) / n)
                log(f"round {r + 1} {label:8s} {kind}: {rate:6.0f}/s relay {d['relay'][-1]:4.0f} µs agent {d['agent'][-1]:4.0f} µs"
                    f"  (load {os.getloadavg()[0]:.2f})")
    print(f"load {os.getloadavg()}")
    print(f"{'binary':10s} {'mapping':7s} {'new/s':>7s} {'relay µs':>9s} {'agent µs':>9s} {'both µs':>8s}"
          f" {'relay writes':>12s} {'agent writes':>12s}")
    for (label, kind), d in res.items():
        if not d["rate"]:
            continue
        both = statistics.median([a + b for a, b in zip(d["relay"], d["agent"])])
        print(f"{label:10s} {kind:7s} {statistics.median(d['rate']):7.0f} {statistics.median(d['relay']):9.0f}"
              f" {statistics.median(d['agent']):9.0f} {both:8.0f}"
              f" {statistics.median(d['rw']):12.2f} {statistics.median(d['aw']):12.2f}")


if __name__ == "__main__":
    main()
