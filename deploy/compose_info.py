#!/usr/bin/env python3
"""Reads `docker-compose config` (stdin) for deploy/compose-e2e.sh.

  compose_info.py published     host ports published by services of the default profile
  compose_info.py health-ports  {"service": published health port} of default-profile services
"""
import json
import sys

import yaml  # python3-yaml, a dependency of Debian's docker-compose

cfg = yaml.safe_load(sys.stdin)
default = {n: s for n, s in cfg["services"].items() if not s.get("profiles")}


def published(svc):
    for p in svc.get("ports", []):
        if isinstance(p, dict) and p.get("published"):
            yield int(p["target"]), int(p["published"])


if sys.argv[1] == "published":
    print("\n".join(sorted({str(h) for s in default.values() for _t, h in published(s)})))
elif sys.argv[1] == "health-ports":
    out = {}
    for name, svc in default.items():
        env = svc.get("environment") or {}
        hp = env.get("HEALTH_PORT")
        if hp is not None:
            for target, host in published(svc):
                if target == int(hp):
                    out[name] = host
    print(json.dumps(out, sort_keys=True))
else:
    sys.exit(f"unknown command {sys.argv[1]}")
