"""The peer tunnels of issue 15, run as a user would on loopback: bore (ekzhang/bore, patched so its server binds
127.0.0.1 and takes its control port from BORE_CONTROL_PORT) and rathole (rapiz1/rathole, plain TCP transport).
Both are unencrypted TCP tunnels. `--peers DIR` names the directory holding the `bore` and/or `rathole` binaries
(/work/shared/peers: prebuilt copies with their licences, patches and build notes)."""

import os

from .harness import free_port, free_port_range, log, process_tree, wait_listening

PEERS = ("bore", "rathole")


def find_peers(directory):
    """{name: executable path} for the peers present in directory; one note per missing one."""
    found = {}
    for name in PEERS:
        path = os.path.join(directory, name) if directory else None
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            found[name] = os.path.abspath(path)
        elif directory:
            log(f"peers: no executable {name} in {directory}; {name} skipped")
    return found


class PeerStack:
    """A server and its client(s); `forwards` {name: local target port} each get a port on the server."""

    def tunnel_pids(self):
        return [pid for side in self.sides().values() for pid in side]

    def sides(self):
        return {"server": process_tree(self.server.pid), "client": [c.pid for c in self.clients]}

    def stop(self):
        for c in self.clients:
            self.h.stop(c)
        self.h.stop(self.server)


class BoreStack(PeerStack):
    """`bore server` and one `bore local` per forward (bore forwards one port per client)."""

    def __init__(self, h, binary, label, forwards):
        self.h = h
        lo, hi = free_port_range(len(forwards) + 4)
        control = free_port()
        env = {"BORE_CONTROL_PORT": str(control), "RUST_LOG": "warn"}
        self.server = h.spawn(f"{label}-server", [binary, "server", "--min-port", str(lo), "--max-port", str(hi)],
                              extra_env=env)
        wait_listening(h, [control], "bore server", [self.server])
        self.ports = {name: lo + i for i, name in enumerate(forwards)}
        self.clients = [h.spawn(f"{label}-local-{name}", [binary, "local", str(target), "--local-host", "127.0.0.1",
                                                          "--to", "127.0.0.1", "--port", str(self.ports[name])],
                                extra_env=env)
                        for name, target in forwards.items()]
        wait_listening(h, self.ports.values(), "bore forwards", [self.server, *self.clients])


class RatholeStack(PeerStack):
    """`rathole server.toml` and one `rathole client.toml` with a service per forward, transport "tcp"."""

    def __init__(self, h, binary, label, forwards):
        self.h = h
        d = os.path.join(h.tmp, label)
        os.makedirs(d)
        control = free_port()
        self.ports = {name: free_port() for name in forwards}
        server = ["[server]", f'bind_addr = "127.0.0.1:{control}"', 'default_token = "bench"', ""]
        client = ["[client]", f'remote_addr = "127.0.0.1:{control}"', 'default_token = "bench"', ""]
        for name, target in forwards.items():
            server += [f"[server.services.{name}]", f'bind_addr = "127.0.0.1:{self.ports[name]}"', ""]
            client += [f"[client.services.{name}]", f'local_addr = "127.0.0.1:{target}"', ""]
        for role, lines in (("server", server), ("client", client)):
            with open(f"{d}/{role}.toml", "w") as f:
                f.write("\n".join(lines))
        env = {"RUST_LOG": "warn"}
        self.server = h.spawn(f"{label}-server", [binary, "--server", f"{d}/server.toml"], extra_env=env)
        wait_listening(h, [control], "rathole server", [self.server])
        self.clients = [h.spawn(f"{label}-client", [binary, "--client", f"{d}/client.toml"], extra_env=env)]
        # The server opens a service's port once the client's control channel for it is up.
        wait_listening(h, self.ports.values(), "rathole services", [self.server, *self.clients])


PEER_STACKS = {"bore": BoreStack, "rathole": RatholeStack}
