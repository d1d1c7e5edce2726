"""What a process's RSS is made of: /proc/PID/smaps summed by mapping and put into a few groups."""

import os
import re

GROUPS = [  # (group, pattern on the mapping's path or pseudo-name); first match wins
    ("burrow binary (text, data)", r"/burrow[^/]*$"),
    ("Foundation + ICU", r"libFoundation|lib_FoundationICU|libFoundationEssentials|libFoundationInternationalization"),
    ("Swift runtime + stdlib", r"libswift|libBlocksRuntime|libdispatch"),
    ("libc, libstdc++, libm, ld.so, ncurses", r"libc\.so|libstdc\+\+|libm\.so|libgcc_s|ld-linux|libncurses|libtinfo"),
    ("thread stacks", r"^\[stack"),
    ("heap (brk)", r"^\[heap\]"),
    ("anonymous (malloc arenas, mmap'd pools, thread stacks)", r"^$|^\[anon"),
    ("other", r"."),
]


def smaps(pid):
    """[(path or pseudo-name, Rss KiB, Private KiB, Pss KiB)] per mapping."""
    out, cur = [], None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                parts = line.split(None, 5)
                cur = [parts[5].strip() if len(parts) > 5 else "", 0, 0, 0]
                out.append(cur)
            elif line.startswith("Rss:"):
                cur[1] = int(line.split()[1])
            elif line.startswith(("Private_Clean:", "Private_Dirty:")):
                cur[2] += int(line.split()[1])
            elif line.startswith("Pss:"):
                cur[3] = int(line.split()[1])
    return out


def breakdown(pid):
    """{group: {"rss_kib", "private_kib", "pss_kib"}} plus "total", and the ten largest single files by RSS.
    Private = pages no other process maps (what another instance would add); Pss shares the shared ones out."""
    keys = ("rss_kib", "private_kib", "pss_kib")
    groups = {g: dict.fromkeys(keys, 0) for g, _ in GROUPS}
    files = {}
    for path, rss, private, pss in smaps(pid):
        for g, pattern in GROUPS:
            if re.search(pattern, path):
                for k, v in zip(keys, (rss, private, pss)):
                    groups[g][k] += v
                break
        if path.startswith("/"):
            files[os.path.basename(path)] = files.get(os.path.basename(path), 0) + rss
    groups["total"] = {k: sum(v[k] for v in groups.values()) for k in keys}
    top = sorted(files.items(), key=lambda kv: -kv[1])[:10]
    return {"groups": {g: v for g, v in groups.items() if v["rss_kib"]}, "largest_files_kib": dict(top),
            "threads": len(os.listdir(f"/proc/{pid}/task"))}
