"""What the visitors go through: the local services, OpenSSH (sshd + ssh -R) and Burrow (relay + agent)."""

import getpass
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import threading
import time

from .harness import (BURROW_ENV, CIPHER, RELAY_LIMITS, BenchError, free_port, free_port_range, log, process_tree,
                      read_port_line, run, wait_listening, wait_until)

class Services:
    """The local services every path leads to: iperf3 and the C HTTP server."""

    def __init__(self, h, tools):
        self.h = h
        self.http = h.spawn("httpd", [tools["httpd"]], stdout=subprocess.PIPE)
        self.http_port = read_port_line(h, self.http, "httpd")
        self.iperf_port = free_port()
        self.iperf = None
        self.start_iperf()

    def start_iperf(self):
        if self.iperf is not None:
            self.h.stop(self.iperf)
        self.iperf = self.h.spawn("iperf3-server", ["iperf3", "-s", "-B", "127.0.0.1", "-p", str(self.iperf_port)])
        wait_listening(self.h, [self.iperf_port], "iperf3 server", [self.iperf])


class OpenSSHStack:
    """Stock sshd on 127.0.0.1 with its own config and host key, and `ssh -N -R` to it."""

    def __init__(self, h, tools, label, forwards, delay_ms=None):
        """forwards: {name: target_port}; each gets a remote port on 127.0.0.1."""
        self.h = h
        d = os.path.join(h.tmp, label)
        os.makedirs(d)
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{d}/host_key"], timeout=30)
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{d}/client_key"], timeout=30)
        shutil.copy(f"{d}/client_key.pub", f"{d}/authorized_keys")
        self.ssh_port = free_port()
        with open(f"{d}/sshd_config", "w") as f:
            f.write(f"""Port {self.ssh_port}
ListenAddress 127.0.0.1
HostKey {d}/host_key
PidFile {d}/sshd.pid
AuthorizedKeysFile {d}/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding yes
GatewayPorts clientspecified
Ciphers {CIPHER}
LogLevel ERROR
""")
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege-separation dir
        self.sshd = h.spawn(f"{label}-sshd", ["/usr/sbin/sshd", "-D", "-e", "-f", f"{d}/sshd_config"])
        wait_listening(h, [self.ssh_port], "sshd", [self.sshd])
        dial_port = self.ssh_port
        if delay_ms:
            self.proxy = h.spawn(f"{label}-delayproxy", [tools["delayproxy"], "127.0.0.1", str(self.ssh_port), str(delay_ms)],
                                 stdout=subprocess.PIPE)
            dial_port = read_port_line(h, self.proxy, "delay proxy")
        self.ports = {name: free_port() for name in forwards}
        cmd = ["ssh", "-N", "-F", "/dev/null", "-i", f"{d}/client_key", "-p", str(dial_port),
               "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
               "-o", f"UserKnownHostsFile={d}/known_hosts", "-o", "ExitOnForwardFailure=yes",
               "-o", f"Ciphers={CIPHER}", "-o", "LogLevel=ERROR"]
        for name, target in forwards.items():
            cmd += ["-R", f"127.0.0.1:{self.ports[name]}:127.0.0.1:{target}"]
        cmd.append(f"{getpass.getuser()}@127.0.0.1")
        self.ssh = h.spawn(f"{label}-ssh", cmd)
        wait_listening(h, self.ports.values(), "ssh -R forwards", [self.sshd, self.ssh])

    def tunnel_pids(self):
        return process_tree(self.sshd.pid) + [self.ssh.pid]

    def sides(self):
        """The server end (sshd and every process it forked) and the client end."""
        return {"server": process_tree(self.sshd.pid), "client": [self.ssh.pid]}

    def stop(self):
        self.h.stop(self.ssh)
        self.h.stop(self.sshd)


class BurrowStack:
    """`burrow serve` plus an agent: `burrow up --json` (or a stock `ssh -R` in --burrow-agent ssh mode).

    mappings: list of (name, protocol, target_port); TCP mappings ask for a port in the relay's range.
    """

    def __init__(self, h, tools, burrow, label, mappings, agent_mode, delay_ms=None, config_cli=True, agent_args=(),
                 limits=None):
        self.h = h
        self.config_cli = config_cli
        self.agent_args = tuple(agent_args)
        d = os.path.join(h.tmp, label)
        os.makedirs(d)
        self.ssh_port, self.http_port = free_port(), free_port()
        lo, hi = free_port_range(16)
        # The relay's limits are policy, not data path: every visitor here comes from 127.0.0.1 and
        # the tests open thousands of connections per second and 1000 at once, so lift the ones
        # that would refuse them (relays without relay.json support ignore the file).
        os.makedirs(f"{d}/relay")
        with open(f"{d}/relay/relay.json", "w") as f:
            json.dump({"version": 1, "limits": limits or RELAY_LIMITS}, f, indent=2)
        self.relay = h.spawn(f"{label}-relay", [
            burrow, "serve", "--state-dir", f"{d}/relay", "--bind", "127.0.0.1",
            "--ssh-port", str(self.ssh_port), "--http-port", str(self.http_port),
            "--ports", f"{lo}-{hi}", "--allow-any-key"], extra_env=BURROW_ENV)
        wait_listening(h, [self.ssh_port, self.http_port], "burrow serve", [self.relay])
        dial_port = self.ssh_port
        if delay_ms:
            self.proxy = h.spawn(f"{label}-delayproxy", [tools["delayproxy"], "127.0.0.1", str(self.ssh_port), str(delay_ms)],
                                 stdout=subprocess.PIPE)
            dial_port = read_port_line(h, self.proxy, "delay proxy")
        wanted = {name: lo + i for i, (name, _, _) in enumerate(mappings)}
        self.ports = {}      # TCP mapping name -> relay port
        self.hosts = {}      # HTTP mapping name -> Host header
        if agent_mode == "ssh":
            self._ssh_agent(d, label, mappings, wanted, dial_port)
        else:
            self._burrow_agent(d, label, burrow, mappings, wanted, dial_port)

    def _burrow_agent(self, d, label, burrow, mappings, wanted, dial_port):
        h = self.h
        cfg = f"{d}/agent"
        if self.config_cli:
            run([burrow, "--config-dir", cfg, "profile", "add", "bench", f"127.0.0.1:{dial_port}"],
                timeout=30, env=h.env, what="burrow profile add")
            for name, proto, target in mappings:
                cmd = [burrow, "--config-dir", cfg, "map", "add", proto, str(target), "--name", name]
                if proto == "tcp":
                    cmd += ["--remote-port", str(wanted[name])]
                run(cmd, timeout=30, env=h.env, what="burrow map add")
        else:
            os.makedirs(cfg)
            with open(f"{cfg}/config.json", "w") as f:
                json.dump({"version": 1, "selectedProfile": "bench", "profiles": [
                    {"name": "bench", "host": "127.0.0.1", "sshPort": dial_port, "user": "burrow"}]}, f, indent=2)
            with open(f"{cfg}/mappings.json", "w") as f:
                json.dump({"version": 1, "mappings": [
                    dict({"name": name, "protocol": proto, "local": f"127.0.0.1:{target}", "enabled": True},
                         **({"remotePort": wanted[name]} if proto == "tcp" else {}))
                    for name, proto, target in mappings]}, f, indent=2)
        self.agent = h.spawn(f"{label}-agent", [burrow, "--config-dir", cfg, "up", "--json", *self.agent_args], stdout=subprocess.PIPE,
                              extra_env=BURROW_ENV)
        events = queue.Queue()
        log_path = os.path.join(h.logs, f"{label}-agent.stdout")

        def pump():  # drains stdout so the agent never blocks on a full pipe
            with open(log_path, "ab") as out:
                for raw in self.agent.stdout:
                    out.write(raw)
                    out.flush()
                    try:
                        events.put(json.loads(raw))
                    except ValueError:
                        pass

        threading.Thread(target=pump, daemon=True).start()
        pending = {name for name, _, _ in mappings}
        deadline = time.monotonic() + 30
        while pending:
            if time.monotonic() > deadline:
                raise BenchError(f"burrow up: no `online` event for {', '.join(sorted(pending))} within 30 s; "
                                 f"see {log_path}\n{h.log_tail(self.agent)}")
            try:
                ev = events.get(timeout=0.2)
            except queue.Empty:
                h.check_alive(self.agent)
                continue
            if ev.get("event") == "online" and ev.get("name") in pending:
                name = ev["name"]
                pending.discard(name)
                url = ev.get("url", "")
                proto = next(p for n, p, _ in mappings if n == name)
                m = re.match(r"^[a-z]+://([^/:]+)(?::(\d+))?", url)
                if proto == "tcp":
                    self.ports[name] = int(m.group(2)) if m and m.group(2) else wanted[name]
                else:
                    self.hosts[name] = f"{m.group(1)}:{m.group(2) or 80}" if m else f"{name}.localhost:{self.http_port}"
            elif ev.get("event") == "error":
                log(f"burrow up reported an error: {ev}")
        wait_listening(h, self.ports.values(), "relay TCP listeners", [self.relay, self.agent])

    def _ssh_agent(self, d, label, mappings, wanted, dial_port):
        h = self.h
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{d}/client_key"], timeout=30)
        cmd = ["ssh", "-N", "-F", "/dev/null", "-i", f"{d}/client_key", "-p", str(dial_port),
               "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
               "-o", f"UserKnownHostsFile={d}/known_hosts", "-o", "ExitOnForwardFailure=yes", "-o", "LogLevel=ERROR"]
        for name, proto, target in mappings:
            port = 80 if proto == "http" else wanted[name]
            cmd += ["-R", f"{name}:{port}:127.0.0.1:{target}"]
            if proto == "tcp":
                self.ports[name] = wanted[name]
            else:
                self.hosts[name] = f"{name}.localhost:{self.http_port}"
        cmd.append("bench@127.0.0.1")
        self.agent = h.spawn(f"{label}-agent-ssh", cmd)
        wait_listening(h, self.ports.values(), "relay TCP listeners", [self.relay, self.agent])
        for host in self.hosts.values():
            wait_until(lambda: http_ok("127.0.0.1", self.http_port, host), 20, f"HTTP route {host}", h, [self.relay, self.agent])

    def tunnel_pids(self):
        return [self.relay.pid, self.agent.pid]

    def sides(self):
        return {"server": [self.relay.pid], "client": [self.agent.pid]}

    def stop(self):
        self.h.stop(self.agent)
        self.h.stop(self.relay)


def http_ok(host, port, host_header):
    try:
        with socket.create_connection((host, port), timeout=2) as s:
            s.sendall(f"GET / HTTP/1.1\r\nHost: {host_header}\r\nConnection: close\r\n\r\n".encode())
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False
