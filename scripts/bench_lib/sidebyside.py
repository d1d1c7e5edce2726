"""Issue 15's view: every stack side by side (direct, bore, rathole, OpenSSH, Burrow as a TCP mapping and as an HTTP
mapping), and the issue's targets as measured ratios."""

from .harness import IDLE_VISITORS
from .report import fmt, ratio

# column -> heading; the order of the table
COLUMNS = {"direct": "direct", "bore": "bore", "rathole": "rathole", "openssh": "OpenSSH",
           "burrow-tcp": "Burrow TCP", "burrow-http": "Burrow HTTP"}

ROWS = [  # (label, key, digits)
    ("iperf3 1 stream, Gbit/s", "single", 2),
    ("iperf3 8 streams, Gbit/s", "parallel8", 2),
    ("wrk -t2 -c50 req/s", "rps", 0),
    ("wrk -t2 -c50 p99, ms", "p99_ms", 2),
    ("wrk -t1 -c1 p50, ms", "c1_p50_ms", 3),
    ("wrk -t1 -c1 p99, ms", "c1_p99_ms", 3),
    ("new connections/s", "conn", 0),
    ("tunnel CPU µs per request (-c50)", "cpu_us_per_req", 1),
    ("tunnel CPU µs per new connection", "cpu_us_per_conn", 0),
    ("tunnel CPU s per GB", "cpu_per_gb", 2),
    ("idle RSS server end, MiB", "server_idle", 1),
    ("idle RSS client end, MiB", "client_idle", 1),
    ("RSS per idle visitor, both ends, KiB", "per_visitor_kb", 1),
]


def per_visitor(rss):
    keys = ("server_idle", "client_idle", "server_open", "client_open")
    if rss is None or any(rss.get(k) is None for k in keys):
        return None
    return (rss["server_open"] + rss["client_open"] - rss["server_idle"] - rss["client_idle"]) * 1024 / IDLE_VISITORS


def targets(cols):
    """Issue 15's targets: [{"target", "value", "shown", "met"}]; met is None when a side was not measured."""
    def g(col, key):
        return (cols.get(col) or {}).get(key)

    out = []

    def check(label, value, ok, shown):
        out.append({"target": label, "value": value, "met": None if value is None else bool(ok(value)),
                    "shown": shown if value is not None else "not measured"})

    def at_least(label, a, b, floor, unit, digits):
        v = ratio(a, b)
        check(label, v, lambda x: x >= floor, f"{fmt(v)}× ({fmt(a, digits)} vs {fmt(b, digits)} {unit})")

    def at_most(label, a, b, unit, digits):
        v = ratio(a, b)
        check(label, v, lambda x: x <= 1.0, f"{fmt(v)}× ({fmt(a, digits)} vs {fmt(b, digits)} {unit})")

    at_least("HTTP mapping req/s ≥ 1.0× bore", g("burrow-http", "rps"), g("bore", "rps"), 1.0, "req/s", 0)
    at_least("HTTP mapping req/s ≥ 1.5× OpenSSH", g("burrow-http", "rps"), g("openssh", "rps"), 1.5, "req/s", 0)
    at_most("tunnel CPU per HTTP request ≤ bore's", g("burrow-http", "cpu_us_per_req"), g("bore", "cpu_us_per_req"),
            "µs", 1)
    at_most("-c1 p50 (HTTP mapping) ≤ OpenSSH's", g("burrow-http", "c1_p50_ms"), g("openssh", "c1_p50_ms"), "ms", 3)
    at_most("-c1 p99 (HTTP mapping) ≤ bore's", g("burrow-http", "c1_p99_ms"), g("bore", "c1_p99_ms"), "ms", 3)
    at_least("TCP 1 stream ≥ 1.2× OpenSSH", g("burrow-tcp", "single"), g("openssh", "single"), 1.2, "Gbit/s", 2)
    at_least("TCP 1 stream ≥ 0.8× bore", g("burrow-tcp", "single"), g("bore", "single"), 0.8, "Gbit/s", 2)
    at_least("TCP 8 streams ≥ 1.0× bore", g("burrow-tcp", "parallel8"), g("bore", "parallel8"), 1.0, "Gbit/s", 2)
    at_least("new connections/s (TCP mapping) ≥ 1.0× bore", g("burrow-tcp", "conn"), g("bore", "conn"), 1.0, "/s", 0)
    at_least("new connections/s (HTTP mapping) ≥ 1.0× bore", g("burrow-http", "conn"), g("bore", "conn"), 1.0, "/s", 0)
    for side, name in (("server_idle", "relay"), ("client_idle", "agent")):
        vals = [g(c, side) for c in ("burrow-tcp", "burrow-http") if g(c, side) is not None]
        v = max(vals) if vals else None
        check(f"idle RSS ≤ 16 MiB: {name}", v, lambda x: x <= 16, f"{fmt(v, 1)} MiB")
    for col, name in (("burrow-tcp", "TCP"), ("burrow-http", "HTTP")):
        v = g(col, "per_visitor_kb")
        check(f"≤ 8 KiB per idle visitor, relay + agent, {name} mapping", v, lambda x: x <= 8, f"{fmt(v, 1)} KiB")
    return out


def target_lines(tl):
    return [f"  [{'n/a ' if t['met'] is None else ('MET ' if t['met'] else 'MISS')}] {t['target']}: {t['shown']}"
            for t in tl]


def _cell(v, d):
    return fmt(v, d) if v is not None else "–"


def render(cols, tl, markdown=False):
    present = [c for c in COLUMNS if c in cols]
    if markdown:
        out = ["| | " + " | ".join(COLUMNS[c] for c in present) + " |", "|---|" + "---:|" * len(present)]
        for label, key, d in ROWS:
            out.append(f"| {label} | " + " | ".join(_cell(cols[c].get(key), d) for c in present) + " |")
        return out + ["", f"Issue 15 targets (ratios of the medians above; {IDLE_VISITORS} idle visitors):", "", "```"] \
            + target_lines(tl) + ["```", ""]
    w0 = max(len(r[0]) for r in ROWS) + 2
    out = [f"{'':{w0}}" + "".join(f"{COLUMNS[c]:>13}" for c in present)]
    for label, key, d in ROWS:
        out.append(f"{label:{w0}}" + "".join(f"{_cell(cols[c].get(key), d):>13}" for c in present))
    return out + ["", "Issue 15 targets:"] + target_lines(tl)
