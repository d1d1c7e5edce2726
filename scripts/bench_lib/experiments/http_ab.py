#!/usr/bin/env python3
"""A/B of the HTTP mapping's per-request cost between burrow binaries (issue 15 experiments).

    python3 scripts/bench_lib/experiments/http_ab.py [--rounds 3] [--seconds 5] [--newconn] [--perf DIR] LABEL=BINARY ...

For each binary: one relay (`burrow serve`) and one agent (`burrow up`) with one HTTP mapping to the
bench's C HTTP server, all on loopback. Rounds alternate between the binaries; each round runs
wrk -t2 -c50 (requests/s, tunnel CPU µs per request for relay and agent separately, read from
/proc/PID/stat) and wrk -t1 -c1 (p50/p99). With --newconn each round also runs the bench's connload
(a new connection per request, one small request each) through the HTTP mapping and through a TCP
mapping to the same server: new connections/s and tunnel CPU µs per new connection. Prints medians. With --perf DIR, one extra (uncounted)
wrk -c50 run per binary under `perf record -g` on relay and agent; flat reports go to DIR.
Every process it starts is stopped when it exits (the bench harness owns them).
"""

import argparse
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import ab_stacks  # noqa: E402
from bench_lib import harness  # noqa: E402
from bench_lib.harness import cpu_seconds, log  # noqa: E402
from bench_lib.measure import connload, wrk  # noqa: E402


def cpu_of(pid):
    return cpu_seconds([pid])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--newconn", action="store_true", help="also measure new connections/s (HTTP and TCP mapping)")
    ap.add_argument("--perf", metavar="DIR")
    ap.add_argument("bins", nargs="+", metavar="LABEL=BINARY")
    args = ap.parse_args()
    h, tools, stacks = ab_stacks.start(args.bins)
    keys = ["rps", "relay", "agent", "p50", "p99", "nc_http", "nc_http_us", "nc_tcp", "nc_tcp_us"]
    res = {label: {k: [] for k in keys} for label in stacks}
    labels = list(stacks)
    for r in range(args.rounds):
        order = labels[r % len(labels):] + labels[:r % len(labels)]
        for label in order:
            s = stacks[label]
            url = f"http://127.0.0.1:{s.http_port}/"
            harness.WRK_THREADS, harness.WRK_CONNECTIONS = 2, 50
            c0 = (cpu_of(s.relay.pid), cpu_of(s.agent.pid))
            w = wrk(url, s.hosts["web"], args.seconds)
            c1 = (cpu_of(s.relay.pid), cpu_of(s.agent.pid))
            harness.WRK_THREADS, harness.WRK_CONNECTIONS = 1, 1
            w1 = wrk(url, s.hosts["web"], args.seconds)
            if not w or not w1:
                log(f"{label}: wrk failed; round skipped")
                continue
            relay = (c1[0] - c0[0]) / w["requests"] * 1e6
            agent = (c1[1] - c0[1]) / w["requests"] * 1e6
            d = res[label]
            d["rps"].append(w["rps"])
            d["relay"].append(relay)
            d["agent"].append(agent)
            d["p50"].append(w1["p50_ms"])
            d["p99"].append(w1["p99_ms"])
            extra = ""
            if args.newconn:
                for kind, port, host in (("http", s.http_port, s.hosts["web"]), ("tcp", s.ports["raw"], "bench")):
                    c0 = cpu_of(s.relay.pid) + cpu_of(s.agent.pid)
                    rate, n = connload(tools, port, args.seconds, host)
                    c1 = cpu_of(s.relay.pid) + cpu_of(s.agent.pid)
                    if rate:
                        d[f"nc_{kind}"].append(rate)
                        d[f"nc_{kind}_us"].append((c1 - c0) / n * 1e6)
                        extra += f"  new {kind} {rate:6.0f}/s {(c1 - c0) / n * 1e6:5.0f} µs"
            log(f"round {r + 1} {label:10s} c50 {w['rps']:8.0f} req/s  CPU relay {relay:5.1f} agent {agent:5.1f} "
                f"µs/req  c1 p50 {w1['p50_ms']:.3f} p99 {w1['p99_ms']:.3f} ms{extra}  (load {os.getloadavg()[0]:.2f})")
    if args.perf:
        os.makedirs(args.perf, exist_ok=True)
        harness.WRK_THREADS, harness.WRK_CONNECTIONS = 2, 50
        for label, s in stacks.items():
            perfs = ab_stacks.perf_record(h, args.perf, label, (("relay", s.relay), ("agent", s.agent)))
            time.sleep(1)
            wrk(f"http://127.0.0.1:{s.http_port}/", s.hosts["web"], args.seconds)
            for role, _, text in ab_stacks.perf_stop(h, perfs):
                with open(os.path.join(args.perf, f"{label}.{role}.flat.txt"), "w") as f:
                    f.write(text)
    print(f"load {os.getloadavg()}")
    print(f"{'binary':10s} {'req/s c50':>10s} {'relay µs':>9s} {'agent µs':>9s} {'both µs':>8s} {'c1 p50 ms':>10s} {'c1 p99 ms':>10s}"
          + (f" {'new http/s':>10s} {'µs/conn':>8s} {'new tcp/s':>10s} {'µs/conn':>8s}" if args.newconn else ""))
    for label, d in res.items():
        if not d["rps"]:
            continue
        m = {k: (statistics.median(v) if v else float("nan")) for k, v in d.items()}
        both = statistics.median([a + b for a, b in zip(d["relay"], d["agent"])])
        print(f"{label:10s} {m['rps']:10.0f} {m['relay']:9.1f} {m['agent']:9.1f} {both:8.1f} {m['p50']:10.3f} {m['p99']:10.3f}"
              + (f" {m['nc_http']:10.0f} {m['nc_http_us']:8.0f} {m['nc_tcp']:10.0f} {m['nc_tcp_us']:8.0f}" if args.newconn else ""))


if __name__ == "__main__":
    main()
