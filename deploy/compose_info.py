#!/usr/bin/env python3
"""Reads a compose file (stdin: `docker-compose config`, or docker-compose.yml itself) for
deploy/compose-e2e.sh.

  compose_info.py published        host ports published by the services of every profile
  compose_info.py profiles         every profile the file declares, one a line, in file order
  compose_info.py profiled         the services of those profiles (what `up` starts on top)
  compose_info.py platform-builds  profiled services built from a Dockerfile of deploy/ (twemproxy)
"""
import sys

import yaml  # python3-yaml, a dependency of Debian's docker-compose

cfg = yaml.safe_load(sys.stdin)
services = cfg["services"]
profiled = {n: s for n, s in services.items() if s.get("profiles")}


def published(svc):
    for p in svc.get("ports", []):
        if isinstance(p, dict) and p.get("published"):
            yield int(p["target"]), int(p["published"])


cmd = sys.argv[1] if len(sys.argv) > 1 else ""
if cmd == "published":
    print("\n".join(sorted({str(h) for s in services.values() for _t, h in published(s)})))
elif cmd == "profiles":
    print("\n".join(dict.fromkeys(p for s in profiled.values() for p in s["profiles"])))
elif cmd == "profiled":
    print("\n".join(profiled))
elif cmd == "platform-builds":
    print("\n".join(n for n, s in profiled.items() if s.get("build") and not str(s.get("image", "")).startswith("fopnp/")))
else:
    sys.exit(f"unknown command {cmd!r}")
