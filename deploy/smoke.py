#!/usr/bin/env python3
"""Smoke tour of a running compose stack, through its published ports, with Python's
stdlib as the peer: every service's /healthz and /readyz, then one real exchange each.
Prints one PASS/FAIL line per check; exits 1 if any failed. Every call has a timeout.

usage: smoke.py HOST HEALTH_PORTS_JSON
  HEALTH_PORTS_JSON: {"tcp-farewell": 9102, ...} (service -> published health port)
       smoke.py --profiles HOST
  the extra topologies: redis-cache on four shards (:8015) and on the Redis Cluster (:8025),
  the pi pipeline's tally (:8016) fed by bitsource, always-yes, pythagoras and scaled judges
"""
import json
import socket
import sys
import time
import urllib.error
import urllib.request
import xmlrpc.client

PROFILES = sys.argv[1] == "--profiles"
HOST = sys.argv[2] if PROFILES else sys.argv[1]
HEALTH = {} if PROFILES else json.loads(sys.argv[2])
TIMEOUT = 10
results = []


def check(name):
    def wrap(fn):
        started = time.monotonic()
        try:
            detail = fn()
            results.append(True)
            print(f"PASS {name}: {detail} ({(time.monotonic() - started) * 1000:.0f} ms)", flush=True)
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none is fatal
            results.append(False)
            print(f"FAIL {name}: {type(exc).__name__}: {exc}", flush=True)
        return fn

    return wrap


def http(path, port, method="GET", body=None, headers=None):
    req = urllib.request.Request(f"http://{HOST}:{port}{path}", data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            return r.status, r.read().decode("utf-8", "replace"), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace"), dict(e.headers)


for service, port in sorted(HEALTH.items()):
    for path in ("/healthz", "/readyz"):

        @check(f"{service} {path}")
        def _(port=port, path=path):
            status, body, _h = http(path, port)
            assert status == 200, f"HTTP {status}: {body[:200]}"
            return f"200 {json.loads(body).get('status')}"


if "tcp-farewell" in HEALTH:

    @check("tcp-farewell: 16-octet greeting, farewell, close (tcp_sixteen.py)")
    def _():
        with socket.create_connection((HOST, 1060), timeout=TIMEOUT) as s:
            s.sendall(b"Hi there, server")
            reply = b""
            while len(reply) < 16:
                chunk = s.recv(16 - len(reply))
                if not chunk:
                    break
                reply += chunk
            assert reply == b"Farewell, client", f"got {reply!r}"
            assert s.recv(1) == b"", "server did not close after the farewell"
            return repr(reply)


if "zen-asyncio" in HEALTH:

    @check("zen-asyncio: a Zen question answered")
    def _():
        with socket.create_connection((HOST, 1061), timeout=TIMEOUT) as s:
            s.sendall(b"Beautiful is better than?")
            answer = b""
            while not answer.endswith(b"."):
                chunk = s.recv(1024)
                assert chunk, f"closed after {answer!r}"
                answer += chunk
            assert answer == b"Ugly.", f"got {answer!r}"
            return repr(answer)


if "redis-cache" in HEALTH:

    @check("redis-cache: a miss loads, the same key again is a hit (through Redis)")
    def _():
        key = f"smoke-{int(time.time() * 1000)}"
        s1, b1, _h = http(f"/demo/slow/{key}", 8005)
        s2, b2, _h = http(f"/demo/slow/{key}", 8005)
        assert s1 == 200 and s2 == 200, f"HTTP {s1}/{s2}: {b1[:200]} {b2[:200]}"
        first, second = json.loads(b1), json.loads(b2)
        assert first["source"] == "loader", f"first lookup came from {first['source']}"
        assert second["source"] == "cache", f"second lookup came from {second['source']}"
        assert second["value"] == first["value"], "the hit returned another value"
        return f"first {first['source']} in {first['ms']} ms, then {second['source']} in {second['ms']} ms"


if "rpc-gateway" in HEALTH:

    @check("rpc-gateway: XML-RPC calls and a multicall through the gateway (xmlrpc.client)")
    def _():
        proxy = xmlrpc.client.ServerProxy(f"http://{HOST}:7001/RPC2", allow_none=True)
        total = proxy.addtogether(1, 2, 3)
        assert total == 6, f"addtogether(1, 2, 3) = {total!r}"
        multi = xmlrpc.client.MultiCall(proxy)
        multi.quadratic(2, -4, 0)  # the book's own call; its `/ 2.0*a` gives [0.0, 8.0]
        has_zen = "zen-asyncio" in HEALTH and "tcp-farewell" in HEALTH
        if has_zen:
            multi.zen.ask("Beautiful is better than?")
            multi.farewell()
        answers = list(multi())
        assert sorted(answers[0]) == [0.0, 8.0], f"quadratic(2, -4, 0) = {answers[0]!r}"
        if has_zen:
            assert answers[1:] == ["Ugly.", "Farewell, client"], f"gateway calls gave {answers[1:]!r}"
        return f"addtogether=6, multicall {answers!r}"


if "http-app" in HEALTH:

    @check("http-app: the bank's login page (/bank/login)")
    def _():
        status, body, headers = http("/bank/login", 8000)
        assert status == 200, f"HTTP {status}"
        assert "<form" in body and "password" in body.lower(), "no login form in the page"
        return f"200, {len(body)} bytes of HTML with a login form"


def miss_then_hit(port, topology):
    key = f"profile-{int(time.time() * 1000)}"
    first = json.loads(http(f"/demo/slow/{key}", port)[1])
    second = json.loads(http(f"/demo/slow/{key}", port)[1])
    stats = json.loads(http("/stats", port)[1])
    assert stats["topology"] == topology, f"runs the {stats['topology']} topology"
    assert stats["status"] == "ok", f"status {stats['status']}, down: {stats['down']}"
    assert (first["source"], second["source"]) == ("loader", "cache"), f"sources {first['source']}, {second['source']}"
    return f"{stats['description']}: loader then cache"


if PROFILES:

    @check("sharded profile: redis-cache over four shards, a miss then a hit")
    def _():
        return miss_then_hit(8015, "sharded")

    @check("cluster profile: redis-cache over the six-node Redis Cluster, a miss then a hit")
    def _():
        return miss_then_hit(8025, "cluster")

    @check("pipeline profile: the tally's pi estimate grows from the scaled judges' answers")
    def _():
        deadline = time.monotonic() + 60
        while True:
            status, body, _h = http("/estimate", 8016)
            est = json.loads(body) if status == 200 else {}
            if est.get("count", 0) >= 200:
                break
            assert time.monotonic() < deadline, f"no estimate after 60 s: HTTP {status} {body[:200]}"
            time.sleep(1)
        assert abs(est["estimate"] - 3.14159) < 0.5, f"estimate {est['estimate']}"
        return f"pi ~ {est['estimate']:.4f} from {est['count']} points"


failed = results.count(False)
print(f"smoke: {len(results) - failed} passed, {failed} failed", flush=True)
sys.exit(1 if failed else 0)
