"""The table, the Markdown table and the target check of issue 5."""

from .harness import IDLE_VISITORS, PATHS, WAN_DELAY_MS

def rounded(x):
    """4 significant digits: the machine's noise is far larger."""
    if isinstance(x, float):
        return float(f"{x:.4g}")
    if isinstance(x, dict):
        return {k: rounded(v) for k, v in x.items()}
    return x


def fmt(x, digits=2):
    if x is None:
        return "n/a"
    return f"{x:,.{digits}f}"


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def target_lines(res):
    t, hp, c, w = res["throughput_gbps"], res["http"], res["connect_per_s"], res["wan_gbps"]
    m = res["rss_mb"]
    out = []

    def check(label, value, ok, shown):
        status = "n/a " if value is None else ("MET " if ok(value) else "MISS")
        out.append(f"  [{status}] {label}: {shown if value is not None else 'not measured'}")

    v = ratio(t["burrow"]["single"], t["openssh"]["single"])
    check("single stream ≥ 1.2× OpenSSH", v, lambda x: x >= 1.2, f"{fmt(v)}×")
    v = ratio(t["burrow"]["single"], t["direct"]["single"])
    check("single stream ≥ 0.3× direct", v, lambda x: x >= 0.3, f"{fmt(v)}×")
    v = ratio(hp["burrow"]["rps"], hp["openssh"]["rps"])
    check("HTTP req/s ≥ 1.5× OpenSSH", v, lambda x: x >= 1.5, f"{fmt(v)}×")
    b99, o99 = hp["burrow"]["p99_ms"], hp["openssh"]["p99_ms"]
    v = None if b99 is None or o99 is None else b99 - o99
    check("HTTP p99 ≤ OpenSSH's", v, lambda x: x <= 0, f"{fmt(b99)} ms vs {fmt(o99)} ms")
    v = ratio(c["burrow"], c["openssh"])
    check("new connections/s ≥ 2× OpenSSH", v, lambda x: x >= 2, f"{fmt(v)}×")
    v = ratio(w["burrow"], w["openssh"])
    check("40 ms RTT single stream ≥ 3× OpenSSH", v, lambda x: x >= 3, f"{fmt(v)}×")
    check("idle relay < 30 MB RSS", m["relay_idle"], lambda x: x < 30, f"{fmt(m['relay_idle'], 1)} MiB")
    check("idle agent < 30 MB RSS", m["agent_idle"], lambda x: x < 30, f"{fmt(m['agent_idle'], 1)} MiB")
    per = per_visitor_kb(res)
    check("open idle visitor < 16 KB (relay + agent)", per, lambda x: x < 16, f"{fmt(per, 1)} KiB")
    return out


def per_visitor_kb(res):
    m = res["rss_mb"]
    if None in (m["relay_idle"], m["agent_idle"], m["relay_1000_open"], m["agent_1000_open"]):
        return None
    return (m["relay_1000_open"] + m["agent_1000_open"] - m["relay_idle"] - m["agent_idle"]) * 1024 / IDLE_VISITORS


def render_table(res, args):
    t, hp, c = res["throughput_gbps"], res["http"], res["connect_per_s"]
    rows = [
        ("throughput, 1 stream (Gbit/s)", [t[p]["single"] for p in PATHS], 2),
        ("throughput, 8 streams (Gbit/s)", [t[p]["parallel8"] for p in PATHS], 2),
        ("HTTP requests/s", [hp[p]["rps"] for p in PATHS], 0),
        ("HTTP latency p50 (ms)", [hp[p]["p50_ms"] for p in PATHS], 3),
        ("HTTP latency p99 (ms)", [hp[p]["p99_ms"] for p in PATHS], 3),
        ("new connections/s", [c[p] for p in PATHS], 0),
        ("CPU s per GB (tunnel procs)", [None, res["cpu_s_per_gb"]["burrow"], res["cpu_s_per_gb"]["openssh"]], 2),
        ("CPU µs per HTTP request", [None, res["_cpu_us_per_req"]["burrow"], res["_cpu_us_per_req"]["openssh"]], 1),
        ("CPU µs per new connection", [None, res["_cpu_us_per_conn"]["burrow"], res["_cpu_us_per_conn"]["openssh"]], 0),
        (f"{2 * WAN_DELAY_MS} ms RTT, 1 stream (Gbit/s)", [None, res["wan_gbps"]["burrow"], res["wan_gbps"]["openssh"]], 3),
    ]
    w0 = max(len(r[0]) for r in rows) + 2
    lines = [f"Burrow benchmark: median of {res['runs']} run(s); iperf3 and wrk {args.seconds} s, "
             f"connect test {args.conn_seconds} s; {res['machine']['cores']} cores, {res['machine']['cpu']}",
             "",
             f"{'':{w0}}{'direct':>12}{'burrow':>12}{'openssh':>12}{'burrow/ssh':>12}"]
    for label, vals, d in rows:
        rt = ratio(vals[1], vals[2])
        lines.append(f"{label:{w0}}" + "".join(f"{fmt(v, d):>12}" for v in vals) + f"{(fmt(rt) + '×') if rt else 'n/a':>12}")
    m = res["rss_mb"]
    o = res.get("_openssh_rss_mb", {})
    lines += ["",
              f"RSS (MiB)      relay idle {fmt(m['relay_idle'], 1)}   agent idle {fmt(m['agent_idle'], 1)}   "
              f"relay +{IDLE_VISITORS} visitors {fmt(m['relay_1000_open'], 1)}   agent +{IDLE_VISITORS} visitors "
              f"{fmt(m['agent_1000_open'], 1)}   per visitor {fmt(per_visitor_kb(res), 1)} KiB",
              f"               OpenSSH (sshd + ssh) idle {fmt(o.get('idle'), 1)}   +{IDLE_VISITORS} visitors "
              f"{fmt(o.get('open'), 1)}   per visitor "
              f"{fmt((o['open'] - o['idle']) * 1024 / IDLE_VISITORS if o.get('open') is not None else None, 1)} KiB",
              "", "Targets (issue 5):"] + target_lines(res)
    return "\n".join(lines)


def render_markdown(res, args):
    t, hp, c, mach = res["throughput_gbps"], res["http"], res["connect_per_s"], res["machine"]
    rows = [
        ("throughput, 1 stream (Gbit/s)", [t[p]["single"] for p in PATHS], 2),
        ("throughput, 8 streams (Gbit/s)", [t[p]["parallel8"] for p in PATHS], 2),
        ("HTTP requests/s", [hp[p]["rps"] for p in PATHS], 0),
        ("HTTP latency p50 (ms)", [hp[p]["p50_ms"] for p in PATHS], 3),
        ("HTTP latency p99 (ms)", [hp[p]["p99_ms"] for p in PATHS], 3),
        ("new connections/s", [c[p] for p in PATHS], 0),
        ("CPU s per GB moved", [None, res["cpu_s_per_gb"]["burrow"], res["cpu_s_per_gb"]["openssh"]], 2),
        ("CPU µs per HTTP request", [None, res["_cpu_us_per_req"]["burrow"], res["_cpu_us_per_req"]["openssh"]], 1),
        ("CPU µs per new connection", [None, res["_cpu_us_per_conn"]["burrow"], res["_cpu_us_per_conn"]["openssh"]], 0),
        (f"{2 * WAN_DELAY_MS} ms RTT, 1 stream (Gbit/s)", [None, res["wan_gbps"]["burrow"], res["wan_gbps"]["openssh"]], 3),
    ]
    out = [f"Median of {res['runs']} run(s), iperf3 and wrk {args.seconds} s, connect test {args.conn_seconds} s; "
           f"{mach['date']}, commit {mach['commit']}.", "",
           "| | direct | burrow | openssh | burrow ÷ openssh |", "|---|---:|---:|---:|---:|"]
    for label, vals, d in rows:
        rt = ratio(vals[1], vals[2])
        out.append(f"| {label} | " + " | ".join(fmt(v, d) if v is not None else "–" for v in vals)
                   + f" | {fmt(rt) + '×' if rt else '–'} |")
    m, o = res["rss_mb"], res.get("_openssh_rss_mb", {})
    per = per_visitor_kb(res)
    o_per = (o["open"] - o["idle"]) * 1024 / IDLE_VISITORS if o.get("open") is not None and o.get("idle") is not None else None
    out += ["", "| RSS (MiB) | idle | with 1000 idle visitors | per visitor (KiB) |", "|---|---:|---:|---:|",
            f"| burrow relay | {fmt(m['relay_idle'], 1)} | {fmt(m['relay_1000_open'], 1)} | "
            f"{fmt((m['relay_1000_open'] - m['relay_idle']) * 1024 / IDLE_VISITORS if m['relay_1000_open'] is not None and m['relay_idle'] is not None else None, 1)} |",
            f"| burrow agent | {fmt(m['agent_idle'], 1)} | {fmt(m['agent_1000_open'], 1)} | "
            f"{fmt((m['agent_1000_open'] - m['agent_idle']) * 1024 / IDLE_VISITORS if m['agent_1000_open'] is not None and m['agent_idle'] is not None else None, 1)} |",
            f"| burrow relay + agent | | | {fmt(per, 1)} |",
            f"| OpenSSH sshd (all processes) + ssh | {fmt(o.get('idle'), 1)} | {fmt(o.get('open'), 1)} | {fmt(o_per, 1)} |",
            "", "Targets of issue 5 (ratios of the medians above):", "", "```"] + target_lines(res) + ["```", ""]
    return "\n".join(out)
