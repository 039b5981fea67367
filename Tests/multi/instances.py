#!/usr/bin/env python3
"""Two `creneau serve` instances on one PostgreSQL behind nginx (Debian's, run as a non-root
user, TLS on 127.0.0.1, with the repository's deploy/nginx/creneau-proxy.conf), as a hospital
runs them. Checked through the proxy:

1. the 200-way race for one slot: exactly one 201, the others 409;
2. a booking storm while one instance is killed with SIGKILL and started again: every booking
   is answered in the end (clients retry with their Idempotency-Key), every 201 is in the
   database, replays give the first answer, no two visits of a practitioner overlap, and the
   database holds exactly the bookings answered;
3. a session opened on one instance works on the other;
4. the limits are shared: a 21st booking attempt in a minute from one address (named by
   X-Forwarded-For, trusted from the proxy only) is 429 whichever instance it reaches.

Arguments: CRENEAU_EXECUTABLE DATABASE_URL FOLDER PSQL. The database holds the seeded demo
(`creneau seed --profile avoine`) and FOLDER its key ring (creneau.keys). Prints "ok …" when
every check passed; stops every process it started, whatever happens. Bounded: about two minutes.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "browser"))
sys.path.insert(0, HERE)
from demo_keys import SANDRINE_KEY, totp  # noqa: E402
from servers import (OVERLAPS, Instance, booking, check, check_answers, find_referrer, free_port, free_slots, request,  # noqa: E402
                     run_checks, storm)
from servers import start_nginx as start_nginx_in  # noqa: E402

EXECUTABLE, DATABASE_URL, FOLDER, PSQL = sys.argv[1:5]
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
PROXY_CONF = os.path.join(ROOT, "deploy", "nginx", "creneau-proxy.conf")
REFERRER = []
ENVIRONMENT = {
    "DATABASE_URL": DATABASE_URL,
    "CRENEAU_ENCRYPTION_KEY_FILE": os.path.join(FOLDER, "creneau.keys"),
    "CRENEAU_TRUSTED_PROXIES": "127.0.0.1",
    "CRENEAU_PUBLIC_URL": "https://rdv.hopital.test",
    "CRENEAU_LOG_LEVEL": "warning",
}


def start_nginx(ports):
    """nginx in front of the instances, with the repository's proxy settings: TLS on a free port."""
    directory = os.path.join(FOLDER, "nginx")
    os.makedirs(directory, exist_ok=True)
    shutil.copy(PROXY_CONF, f"{directory}/creneau-proxy.conf")
    port = free_port()
    upstream = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in ports)
    return start_nginx_in(directory, f"""    upstream creneau {{
{upstream}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {directory}/cert.pem;
        ssl_certificate_key {directory}/key.pem;
        client_max_body_size 10m;
        location / {{
            include {directory}/creneau-proxy.conf;
        }}
    }}""", port), port


def psql(sql):
    run = subprocess.run([PSQL, DATABASE_URL, "-At", "-c", sql], capture_output=True, text=True, timeout=60)
    check(run.returncode == 0, f"psql: {run.stderr}")
    return run.stdout.strip()


def race(proxy, slot):
    def one(n):
        headers = {"Idempotency-Key": str(uuid.uuid4()), "X-Forwarded-For": f"198.51.100.{n % 50 + 1}"}
        return request("POST", "/api/v1/appointments", booking(slot, n, REFERRER[0]), headers, port=proxy, tls=True, timeout=60)[0]
    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(one, range(200)))
    check(statuses.count(201) == 1 and statuses.count(409) == 199,
          f"the race: {sorted((s, statuses.count(s)) for s in set(statuses))}")


def main():
    before = int(psql("SELECT count(*) FROM appointments"))
    one, two = Instance("one", EXECUTABLE, FOLDER, ENVIRONMENT), Instance("two", EXECUTABLE, FOLDER, ENVIRONMENT)
    for instance in (one, two):
        instance.start()
    for instance in (one, two):
        instance.wait_healthy()
    _, proxy = start_nginx([one.port, two.port])

    REFERRER.append(find_referrer(proxy, tls=True))
    slots = free_slots(proxy, 121, tls=True)
    race(proxy, slots[0])

    def post(body, headers, attempt):
        return request("POST", "/api/v1/appointments", body, headers, port=proxy, tls=True)

    def kill_and_restart():
        one.process.send_signal(signal.SIGKILL)
        one.process.wait()
        time.sleep(1.5)
        one.start()
        one.wait_healthy()

    answers, retried, killed_after = storm(slots[1:], REFERRER[0], post, kill_and_restart)
    check_answers(answers, proxy, tls=True)
    after = int(psql("SELECT count(*) FROM appointments"))
    check(after - before == len(slots), f"{after - before} appointments written for {len(slots)} answered")
    overlaps = int(psql(OVERLAPS))
    check(overlaps == 0, f"{overlaps} overlapping visits")

    # A session opened on one instance works on the other.
    credentials = {"email": "sandrine.leroy@avoine.demo", "password": "avoine-demo-2026", "code": totp(SANDRINE_KEY)}
    status, _, data = request("POST", "/api/v1/sessions", credentials, port=one.port)
    if status == 401:
        # Each authenticator code is good once: a run on this database a moment ago used it. The next one.
        time.sleep(30 - time.time() % 30 + 0.5)
        credentials["code"] = totp(SANDRINE_KEY)
        status, _, data = request("POST", "/api/v1/sessions", credentials, port=one.port)
    check(status == 201, f"sign-in on instance one: {status} {data[:200]}")
    token = json.loads(data)["token"]
    status, _, data = request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"}, port=two.port)
    check(status == 200 and json.loads(data)["email"] == "sandrine.leroy@avoine.demo", f"the session on instance two: {status}")

    # One address, both instances (nginx alternates): 20 attempts a minute, then 429.
    limited, address = [], f"192.0.2.{os.urandom(1)[0] % 250 + 1}"
    for n in range(21):
        headers = {"Idempotency-Key": str(uuid.uuid4()), "X-Forwarded-For": address}
        limited.append(request("POST", "/api/v1/appointments", booking(slots[0], 5000 + n, REFERRER[0]), headers, port=proxy, tls=True)[0])
    check(limited[:20] == [409] * 20 and limited[20] == 429, f"the shared limit: {limited}")

    print(f"ok race 1/200, storm {len(slots) - 1} booked with instance one killed after {killed_after} answers and restarted ({retried} retries), "
          f"session across instances, shared limit")


if __name__ == "__main__":
    run_checks(main)
