#!/usr/bin/env python3
"""Issue 18's table, measured over HTTP on a seeded database (the aphp profile).

Starts `creneau serve` (release build) on 127.0.0.1, times its start-up to healthy, then drives
it with wrk, one workload after another, each for --duration seconds with --connections
connections (bookings: 64):

  W2 (a specialty across the 39 sites, next 7 days) first, from the first request after start;
  the static ceiling (GET /robots.txt); W1 (one practitioner x 30 days, 500 in turn); the HTML
  pages (home, search results, a practitioner's page, the booking form of a held slot); bookings
  of distinct free slots for new patients (POST /api/v1/appointments, every answer counted: only
  201s are bookings); the staff day and week views of the five largest departments, signed in
  through the API as the seed's group administrator (direction@aphp.demo, with the seed's public
  authenticator secret; a database seeded before that secret existed gets "not measured").

With --second-instance, a second `creneau serve` on the same database (PostgreSQL) takes half the
booking clients, and a probe books on one instance and times until the slot is gone on the other.

Prints a Markdown table (and appends it to --write FILE). Bounded: every load stops by itself;
every process started is stopped. Needs wrk (apt-get install -y wrk).

Usage: scripts/bench-http.py --database-path /tmp/aphp.sqlite [--prepare] [--write BENCHMARKS.md]
       scripts/bench-http.py --database-url postgres://... [--second-instance]
"""
import argparse
import base64
import datetime
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "browser"))
from demo_keys import totp  # noqa: E402  (RFC 6238, shared with the browser tests)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def birth(n):
    """Birth dates spread over 80 years, as a hospital's patients are."""
    return (datetime.date(1940, 1, 1) + datetime.timedelta(days=(n * 7919) % 29_000)).isoformat()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, method, path, body=None, headers=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


class Server:
    def __init__(self, binary, database, work, name, extra_env=None):
        self.port = free_port()
        self.name = name
        env = dict(os.environ, CRENEAU_RATE_LIMITS="off", CRENEAU_WAITING_ROOM="off", CRENEAU_LOG_LEVEL="warning")
        env.update(extra_env or {})
        self.log = open(os.path.join(work, f"{name}.log"), "wb")
        self.started = time.monotonic()
        self.process = subprocess.Popen([binary, "serve", *database, "--host", "127.0.0.1", "--port", str(self.port)],
                                        stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.healthy_after = None

    def wait_healthy(self, limit=300):
        while time.monotonic() - self.started < limit:
            if self.process.poll() is not None:
                sys.exit(f"{self.name} stopped: see its log")
            try:
                if call(self.port, "GET", "/healthz", timeout=2)[0] == 200:
                    self.healthy_after = time.monotonic() - self.started
                    return self.healthy_after
            except OSError:
                pass
            time.sleep(0.05)
        sys.exit(f"{self.name} not healthy after {limit} s")

    def cpu_seconds(self):
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_idle(self, limit=1200):
        """Until the server's own work after start (statistics history, slot publication) is done."""
        began = time.monotonic()
        while time.monotonic() - began < limit:
            before = self.cpu_seconds()
            time.sleep(3)
            if self.cpu_seconds() - before < 0.3:
                return time.monotonic() - began
        sys.exit(f"{self.name} still busy after {limit} s")

    def rss_mib(self):
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM"):
                    return int(line.split()[1]) / 1024
        return 0

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


LUA_PATHS = """
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local counter = 0
request = function()
  counter = counter + 1
  local token = os.getenv("BEARER")
  local headers = token and {["Authorization"] = "Bearer " .. token} or nil
  return wrk.format("GET", paths[(counter % #paths) + 1], headers)
end
"""

LUA_POSTS = """
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
local counter = tonumber(os.getenv("OFFSET") or "0")
local step = tonumber(os.getenv("STEP") or "1")
local run = os.getenv("RUN")
request = function()
  counter = counter + step
  local body = bodies[((counter - 1) % #bodies) + 1]
  local headers = {["Content-Type"] = "application/json", ["Idempotency-Key"] = run .. "-" .. counter}
  return wrk.format("POST", "/api/v1/appointments", headers, body)
end
"""


def milliseconds(text):
    found = re.match(r"([\d.]+)(us|ms|s|m)", text)
    if not found:
        return float("nan")
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(port, work, name, paths=None, bodies=None, connections=16, duration=10, offset=0, step=1, bearer=None):
    """Runs wrk; returns requests/s, non-2xx count, total requests, p50 and p99 (ms)."""
    script = os.path.join(work, f"{name}.lua")
    with open(script, "w") as f:
        f.write(LUA_POSTS if bodies else LUA_PATHS)
    env = dict(os.environ)
    if paths:
        env["PATHS"] = paths
    if bearer:
        env["BEARER"] = bearer
    if bodies:
        env.update(BODIES=bodies, OFFSET=str(offset), STEP=str(step), RUN=uuid.uuid4().hex)
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", "-s", script,
                          f"http://127.0.0.1:{port}"], capture_output=True, text=True, env=env, timeout=duration + 60).stdout
    rate = float((re.search(r"Requests/sec:\s+([\d.]+)", out) or [None, "0"])[1])
    total = int((re.search(r"(\d+) requests in", out) or [None, "0"])[1])
    non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1])
    errors = re.search(r"Socket errors: (.*)", out)
    p50 = milliseconds((re.search(r"50%\s+(\S+)", out) or [None, ""])[1])
    p99 = milliseconds((re.search(r"99%\s+(\S+)", out) or [None, ""])[1])
    return {"rate": rate, "total": total, "non2xx": non2xx, "p50": p50, "p99": p99, "errors": errors.group(1) if errors else ""}


def write_lines(work, name, lines):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-path")
    parser.add_argument("--database-url")
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release/creneau"))
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--second-instance", action="store_true")
    parser.add_argument("--prepare", action="store_true", help="start once and wait for the first start's work (a freshly seeded database)")
    parser.add_argument("--skip-bookings", action="store_true", help="leave the database as it is (bookings add appointments)")
    parser.add_argument("--write", help="append the table to this file")
    parser.add_argument("--label", default="")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    database = ["--database-path", options.database_path] if options.database_path else ["--database-url", options.database_url]
    engine = "SQLite" if options.database_path else "PostgreSQL"
    work = tempfile.mkdtemp(prefix="creneau-bench-http.")
    rows = []
    servers = []

    def row(name, result, target, verdict, detail=""):
        rows.append((name, result, target, verdict, detail))
        print(f"{name}: {result} [{target}] {verdict} {detail}", flush=True)

    try:
        subprocess.run([options.bin, "bench", "availability", *database, "--practitioners", "20", "--rounds", "1", "--write-urls", work],
                       check=True, capture_output=True, timeout=600)
        w1 = open(os.path.join(work, "w1.txt")).read().split()
        w2 = open(os.path.join(work, "w2.txt")).read().split()

        if options.prepare:
            # A database fresh from the seed: the first start counts its history and publishes every
            # practitioner's slots once; a hospital's server restarts on a database past that.
            first = Server(options.bin, database, work, "prepare")
            first.wait_healthy()
            print(f"prepared: the first start's work took {first.wait_idle():.0f} s", flush=True)
            first.stop()

        main_server = Server(options.bin, database, work, "a")
        servers.append(main_server)
        started = main_server.wait_healthy()
        port = main_server.port

        # W2 first: its target holds from the first request after start.
        w2_result = wrk(port, work, "w2", paths=write_lines(work, "w2.paths", w2), connections=options.connections, duration=options.duration)
        ceiling = wrk(port, work, "ceiling", paths=write_lines(work, "ceiling.paths", ["/robots.txt"]), connections=options.connections,
                      duration=options.duration)
        row("Ceiling: GET /robots.txt", f"{ceiling['rate']:,.0f} req/s, p50 {ceiling['p50']:.2f} ms, p99 {ceiling['p99']:.2f} ms", "—", "")
        w1_result = wrk(port, work, "w1", paths=write_lines(work, "w1.paths", w1), connections=options.connections, duration=options.duration)
        share = w1_result["rate"] / ceiling["rate"]
        row(f"W1 availability, 1 practitioner × 30 days, {len(w1)} in turn",
            f"{w1_result['rate']:,.0f} req/s ({share:.0%} of the ceiling), p50 {w1_result['p50']:.1f} ms, p99 {w1_result['p99']:.1f} ms",
            "≥ 50% of the ceiling", "met" if share >= 0.5 else "**missed**", f"non-2xx {w1_result['non2xx']}")
        row(f"W2 specialty search, 39 sites, 7 days, {len(w2)} specialties in turn, from start",
            f"{w2_result['rate']:,.0f} req/s, p50 {w2_result['p50']:.1f} ms, p99 {w2_result['p99']:.1f} ms",
            "p99 < 50 ms", "met" if w2_result["p99"] < 50 else "**missed**", f"non-2xx {w2_result['non2xx']}")

        # Pages: ids from the W1 paths; a held slot for the booking form.
        ids = [re.search(r"practitioner=([0-9a-f-]+)&motive=([0-9a-f-]+)", p).groups() for p in w1]
        specialties = [p.split("specialty=")[1] for p in w2]
        forms = []
        for (practitioner, motive), path in zip(ids, w1):
            if len(forms) >= 40:
                break
            status, body, _ = call(port, "GET", path)
            slots = json.loads(body).get("slots", []) if status == 200 else []
            if not slots:
                continue
            status, body, _ = call(port, "POST", "/api/v1/holds",
                                   {"practitioner": practitioner, "motive": motive, "start": slots[-1]["start"]})
            if status == 201:
                hold = json.loads(body)
                forms.append(f"/book/{hold['id']}?token={hold.get('token') or hold.get('holdToken')}")
        pages = [("home page", ["/"]), ("search results page", [f"/search?specialty={s}" for s in specialties]),
                 ("practitioner page", [f"/practitioners/{p}" for p, _ in ids]), ("booking form of a held slot", forms)]
        for name, paths in pages:
            if not paths:
                row(f"HTML: {name}", "not measured (nothing to ask)", "p99 < 20 ms", "")
                continue
            file = write_lines(work, name.split()[0] + ".paths", paths)
            # Two seconds of the same load first, not counted: the pages' first renderings after W1 and W2.
            wrk(port, work, name.split()[0], paths=file, connections=options.connections, duration=2)
            result = wrk(port, work, name.split()[0], paths=file, connections=options.connections, duration=options.duration)
            row(f"HTML: {name} ({len(paths)} in turn)", f"{result['rate']:,.0f} req/s, p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms",
                "p99 < 20 ms", "met" if result["p99"] < 20 and result["non2xx"] == 0 else "**missed**", f"non-2xx {result['non2xx']}")

        staff(port, work, options, row)
        row("Start-up to healthy", f"{started:.1f} s", "< 30 s", "met" if started < 30 else "**missed**")
        if not options.skip_bookings:
            bookings(options, database, work, w1, ids, main_server, servers, row)
        rss = max(s.rss_mib() for s in servers)
        row("Peak RSS (one instance)", f"{rss:,.0f} MiB", "< 1 GiB", "met" if rss < 1024 else "**missed**")
    finally:
        for server in servers:
            server.stop()

    machine = f"{os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 2**30} GiB, " + \
        subprocess.run(["uname", "-m"], capture_output=True, text=True).stdout.strip()
    table = [f"### {engine}, {time.strftime('%Y-%m-%d %H:%M')} UTC {options.label}".rstrip(), "",
             f"`scripts/bench-http.py {' '.join(sys.argv[1:])}` — {machine}, wrk -t1 -c{options.connections} "
             f"for {options.duration} s a row (pages after 2 s of the same load; bookings: 64 connections), on the same machine as the server.", "",
             "| workload | measured | target | |", "|---|---|---|---|"]
    table += [f"| {name} | {result}{(' (' + detail + ')') if detail else ''} | {target} | {verdict} |" for name, result, target, verdict, detail in rows]
    text = "\n".join(table) + "\n"
    print("\n" + text)
    if options.write:
        with open(options.write, "a") as f:
            f.write("\n" + text)


def demo_secret(email):
    """The seed's public authenticator key (base32) for a demo account: DemoAccounts.totpSecret's bytes."""
    letters = "".join(c for c in email.upper() if c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    return base64.b32encode(("AVOINE" + letters + "A" * 32)[:32].encode()).decode().rstrip("=")


def staff(port, work, options, row):
    """The staff day and week views of the largest departments, signed in as the seed's group administrator."""
    paths = open(os.path.join(work, "staff.txt")).read().split()
    email = "direction@aphp.demo"
    token = None
    for attempt in range(2):
        status, body, _ = call(port, "POST", "/api/v1/sessions", {"email": email, "password": "avoine-demo-2026", "code": totp(demo_secret(email))})
        if status == 201:
            token = json.loads(body)["token"]
            break
        # A code is good once: a run a moment ago used this one. The next.
        time.sleep(30 - time.time() % 30 + 0.5)
    if not paths or not token:
        row("Staff day and week views", f"not measured (sign-in as {email}: {status})", "p99 < 50 ms", "")
        return
    for name, kind in [("day", "&day="), ("week", "&week=")]:
        chosen = [p for p in paths if kind in p]
        file = write_lines(work, f"staff-{name}.paths", chosen)
        wrk(port, work, f"staff-{name}", paths=file, connections=options.connections, duration=2, bearer=token)
        result = wrk(port, work, f"staff-{name}", paths=file, connections=options.connections, duration=options.duration, bearer=token)
        row(f"HTML: staff {name} view, the {len(chosen) // (5 if name == 'day' else 2)} largest departments ({len(chosen)} in turn)",
            f"{result['rate']:,.0f} req/s, p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms",
            "p99 < 50 ms", "met" if result["p99"] < 50 and result["non2xx"] == 0 else "**missed**", f"non-2xx {result['non2xx']}")


def bookings(options, database, work, w1, ids, main_server, servers, row):
    """Distinct free slots, each booked once for a new patient, by 64 connections (two instances: 32 each)."""
    port = main_server.port
    referrer = None
    for words in ["ma", "de", "le", "ro"]:
        status, body, _ = call(port, "GET", f"/api/v1/referring-doctors?q={words}&limit=1")
        found = json.loads(body).get("referringDoctors", []) if status == 200 else []
        if found:
            referrer = found[0]["id"]
            break
    run = uuid.uuid4().hex[:8]
    bodies = []
    openings = []
    today = time.strftime("%Y-%m-%d")
    for practitioner, _ in ids:
        # A motive a new patient may book online (the W1 sample also holds follow-ups for known patients).
        status, body, _ = call(port, "GET", f"/api/v1/practitioners/{practitioner}/motives")
        motives = [m for m in json.loads(body).get("motives", []) if "online" in m.get("channels", []) and m.get("patients") != "known"] \
            if status == 200 else []
        if not motives:
            continue
        motive = motives[0]["id"]
        days = min(30, motives[0].get("horizonDays", 30))
        availability = f"/api/v1/availability?practitioner={practitioner}&motive={motive}&from={today}&days={days}"
        status, body, _ = call(port, "GET", availability)
        if status != 200:
            continue
        openings.append((practitioner, motive, availability))
        for slot in json.loads(body)["slots"]:
            if slot.get("seatsLeft", 1) != 1:
                continue
            n = len(bodies)
            bodies.append(json.dumps({
                "practitioner": practitioner, "motive": motive, "start": slot["start"], "referringDoctor": referrer,
                "patient": {"firstName": "Charge", "lastName": f"Patient {run} {n}", "birthDate": birth(n),
                            "email": f"charge{n}.{run}@example.org"}}))
    path = write_lines(work, "bookings.json", bodies)
    half = len(bodies) // 2
    result = wrk(port, work, "book", bodies=path, connections=64, duration=options.duration)
    rate = (result["total"] - result["non2xx"]) / options.duration
    row(f"Bookings over HTTP, 64 connections, {len(bodies):,} distinct slots",
        f"{rate:,.0f} bookings/s (201s), p50 {result['p50']:.0f} ms, p99 {result['p99']:.0f} ms", "≥ 1,000/s",
        "met" if rate >= 1000 else "**missed**", f"refused {result['non2xx']}, {result['total']:,} answers")
    if options.second_instance:
        other = Server(options.bin, database, work, "b")
        servers.append(other)
        other.wait_healthy()
        results = [None, None]

        def drive(index, server):
            # The second half of the slots (the first run took from the start of the list), alternately.
            results[index] = wrk(server.port, work, f"book-{index}", bodies=path, connections=32, duration=options.duration,
                                 offset=half + index, step=2)
        threads = [threading.Thread(target=drive, args=(i, s)) for i, s in enumerate([main_server, other])]
        [t.start() for t in threads]
        [t.join() for t in threads]
        booked = sum(r["total"] - r["non2xx"] for r in results)
        rate = booked / options.duration
        worst = max(r["p99"] for r in results)
        row(f"Bookings over HTTP, two instances, 64 connections, {len(bodies):,} distinct slots",
            f"{rate:,.0f} bookings/s (201s), p99 {worst:.0f} ms", "≥ 1,000/s together", "met" if rate >= 1000 else "**missed**",
            f"refused {sum(r['non2xx'] for r in results)}")
        visibility(main_server, other, openings, referrer, run, row)


def visibility(a, b, openings, referrer, run, row, probes=60):
    """Books a free slot on one instance, then asks the other until the slot is gone."""
    delays = []
    for n in range(probes):
        writer, reader = (a, b) if n % 2 == 0 else (b, a)
        practitioner, motive, path = openings[(n * 7) % len(openings)]
        status, body, _ = call(reader.port, "GET", path)
        slots = [s for s in json.loads(body).get("slots", []) if s.get("seatsLeft", 1) == 1] if status == 200 else []
        if not slots:
            continue
        start = slots[len(slots) // 2]["start"]
        status, _, _ = call(writer.port, "POST", "/api/v1/appointments", {
            "practitioner": practitioner, "motive": motive, "start": start, "referringDoctor": referrer,
            "patient": {"firstName": "Sonde", "lastName": f"Patient {run} {n}", "birthDate": birth(n), "email": f"sonde{n}.{run}@example.org"}},
            headers={"Idempotency-Key": str(uuid.uuid4())})
        if status != 201:
            continue
        booked = time.monotonic()
        while time.monotonic() - booked < 5:
            status, body, _ = call(reader.port, "GET", path)
            if status == 200 and all(s["start"] != start for s in json.loads(body)["slots"]):
                delays.append((time.monotonic() - booked) * 1000)
                break
            time.sleep(0.002)
        else:
            delays.append(5000)
    if len(delays) < 10:
        row("A booking on one instance seen on the other", f"not measured ({len(delays)} probes)", "p99 < 100 ms", "")
        return
    delays.sort()
    p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))]
    row(f"A booking on one instance seen on the other ({len(delays)} probes)",
        f"median {statistics.median(delays):.0f} ms, p99 {p99:.0f} ms", "p99 < 100 ms", "met" if p99 < 100 else "**missed**")


if __name__ == "__main__":
    main()
