"""Process and system plumbing for scripts/bench: the harness that owns every process it starts,
ports, readiness waits, /proc readings, and the shared constants."""

import ctypes
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository


LIB = os.path.join(ROOT, "scripts", "bench_lib")


PATHS = ("direct", "burrow", "openssh")


CIPHER = "aes128-gcm@openssh.com"


WAN_DELAY_MS = 20          # each direction: 40 ms round trip


IDLE_VISITORS = 1000


WRK_THREADS, WRK_CONNECTIONS = 2, 50


CONNLOAD_THREADS = 8


RELAY_LIMITS = {"maxVisitorsPerKey": 1_000_000, "maxVisitorsPerMapping": 1_000_000,
                "newConnectionsPerSecondPerIP": 1_000_000}


BURROW_ENV = {}            # --burrow-env: extra environment for relay and agent


class BenchError(Exception):
    """A failure that ends the run with one clear line."""


_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    """In the child before exec: SIGTERM it if the harness dies without cleaning up (SIGKILL)."""
    _libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Harness:
    """Owns the temp dir and every process started; cleans both up at exit."""

    def __init__(self, keep):
        self.keep = keep
        self.tmp = tempfile.mkdtemp(prefix="burrow-bench-")
        self.logs = os.path.join(self.tmp, "logs")
        os.makedirs(self.logs)
        self.procs = []
        self.env = dict(os.environ)
        # Keep burrow away from the user's own config and state.
        self.env.update({
            "HOME": os.path.join(self.tmp, "home"),
            "XDG_CONFIG_HOME": os.path.join(self.tmp, "home", ".config"),
            "XDG_STATE_HOME": os.path.join(self.tmp, "home", ".local", "state"),
            "LANG": "C.UTF-8",
        })
        self.env.pop("BURROW_CONFIG_DIR", None)
        os.makedirs(self.env["XDG_CONFIG_HOME"])
        self.cleaned = False

    def spawn(self, name, cmd, stdout=None, extra_env=None):
        """Starts cmd in its own process group; stderr (and stdout unless piped) go to logs/NAME.log."""
        path = os.path.join(self.logs, f"{name}.log")
        logf = open(path, "ab")
        env = dict(self.env, **extra_env) if extra_env else self.env
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                             stdout=stdout if stdout is not None else logf,
                             stderr=logf, start_new_session=True, env=env, preexec_fn=_die_with_parent)
        logf.close()
        p.bench_name = name
        p.bench_log = path
        self.procs.append(p)
        return p

    def stop(self, p, grace=5.0):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(timeout=5)
        else:
            # The leader is gone; its group may still hold children (sshd's sessions).
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if p in self.procs:
            self.procs.remove(p)

    def cleanup(self):
        if self.cleaned:
            return
        self.cleaned = True
        # A second Ctrl-C (or a group-wide signal arriving twice) must not cut the cleanup short.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGALRM):
            signal.signal(sig, signal.SIG_IGN)
        for p in reversed(list(self.procs)):
            try:
                self.stop(p, grace=3.0)
            except Exception as e:  # keep stopping the others
                log(f"could not stop {p.bench_name} (pid {p.pid}): {e}")
        if self.keep:
            log(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def log_tail(self, p, lines=15):
        try:
            with open(p.bench_log, "rb") as f:
                text = f.read().decode("utf-8", "replace").strip().splitlines()
            return "\n".join("    " + l for l in text[-lines:]) or "    (empty log)"
        except OSError:
            return "    (no log)"

    def check_alive(self, p):
        if p.poll() is not None:
            raise BenchError(f"{p.bench_name} exited with status {p.returncode}; its log:\n{self.log_tail(p)}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_range(count):
    """A run of `count` free ports below the kernel's ephemeral range, for `--ports`."""
    for _ in range(200):
        base = random.randrange(21000, 32000 - count)
        ok = True
        for port in range(base, base + count):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return base, base + count - 1
    raise BenchError("found no run of free ports between 21000 and 32000")


def listening_ports():
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if parts[3] == "0A":  # LISTEN
                        ports.add(int(parts[1].rsplit(":", 1)[1], 16))
        except OSError:
            pass
    return ports


def wait_until(pred, timeout, what, harness=None, procs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        for p in procs:
            harness.check_alive(p)
        time.sleep(0.05)
    tails = "".join(f"\n  {p.bench_name} log:\n{harness.log_tail(p)}" for p in procs) if harness else ""
    raise BenchError(f"timed out after {timeout:.0f} s waiting for {what}{tails}")


def wait_listening(harness, ports, what, procs, timeout=20):
    ports = set(ports)
    wait_until(lambda: ports <= listening_ports(), timeout, what, harness, procs)


def read_port_line(harness, p, what, timeout=10):
    """Tools in bench_lib bind port 0 and print the port on their first stdout line."""
    box = {}

    def reader():
        box["line"] = p.stdout.readline()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    t.join(timeout)
    line = box.get("line", b"").strip()
    if not line.isdigit():
        raise BenchError(f"{what} did not report its port; its log:\n{harness.log_tail(p)}")
    return int(line)


def process_tree(root_pid):
    """root_pid and all its descendants (sshd forks a process per connection)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def cpu_seconds(pids):
    """utime + stime of each process (all its threads), from /proc/PID/stat."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
        except OSError:
            pass
    return total / tick


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0  # kB → MiB
    raise BenchError(f"no VmRSS for pid {pid}")


def run(cmd, timeout, env=None, check=True, what=None):
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what or cmd[0]} did not finish within {timeout} s")
    out = r.stdout.decode("utf-8", "replace")
    err = r.stderr.decode("utf-8", "replace")
    if check and r.returncode != 0:
        raise BenchError(f"{what or ' '.join(cmd)} failed (status {r.returncode}): {(err or out).strip()[:800]}")
    return r.returncode, out, err
