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
import datetime
import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "browser"))
from demo_keys import SANDRINE_KEY, totp  # noqa: E402

EXECUTABLE, DATABASE_URL, FOLDER, PSQL = sys.argv[1:5]
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PROXY_CONF = os.path.join(ROOT, "deploy", "nginx", "creneau-proxy.conf")
UNVERIFIED = ssl._create_unverified_context()
started = []
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        raise AssertionError(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, path, body=None, headers=None, port=None, tls=False, timeout=30):
    """One request on a connection of its own: (status, headers, body)."""
    if tls:
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=UNVERIFIED)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        all_headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


class Instance:
    def __init__(self, name, port):
        self.name, self.port, self.process = name, port, None

    def start(self):
        environment = dict(os.environ)
        environment.update({
            "DATABASE_URL": DATABASE_URL,
            "CRENEAU_ENCRYPTION_KEY_FILE": os.path.join(FOLDER, "creneau.keys"),
            "CRENEAU_TRUSTED_PROXIES": "127.0.0.1",
            "CRENEAU_PUBLIC_URL": "https://rdv.hopital.test",
            "CRENEAU_LOG_LEVEL": "warning",
        })
        log = open(os.path.join(FOLDER, f"{self.name}.log"), "ab")
        self.process = subprocess.Popen([EXECUTABLE, "serve", "--port", str(self.port)], cwd=FOLDER, env=environment,
                                        stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        started.append(self.process)

    def wait_healthy(self, seconds=120):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if request("GET", "/healthz", port=self.port, timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        check(False, f"{self.name} did not become healthy; its log ends with: {self.log_tail()}")

    def log_tail(self):
        with open(os.path.join(FOLDER, f"{self.name}.log"), "rb") as f:
            return f.read()[-2000:].decode(errors="replace")


def start_nginx(ports):
    """nginx in a folder of its own, as `nobody` when run as root: TLS on a free port."""
    directory = os.path.join(FOLDER, "nginx")
    os.makedirs(os.path.join(directory, "temp"), exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{directory}/key.pem",
                    "-out", f"{directory}/cert.pem", "-days", "1", "-subj", "/CN=localhost"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.copy(PROXY_CONF, f"{directory}/creneau-proxy.conf")
    port = free_port()
    upstream = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in ports)
    with open(f"{directory}/nginx.conf", "w") as f:
        f.write(f"""
daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {directory}/temp/body;
    proxy_temp_path {directory}/temp/proxy;
    fastcgi_temp_path {directory}/temp/fastcgi;
    uwsgi_temp_path {directory}/temp/uwsgi;
    scgi_temp_path {directory}/temp/scgi;
    upstream creneau {{
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
    }}
}}
""")
    command = ["/usr/sbin/nginx", "-p", directory, "-e", f"{directory}/error.log", "-c", f"{directory}/nginx.conf"]
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        for path, _, files in os.walk(directory):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
            for name in files:
                os.chown(os.path.join(path, name), nobody.pw_uid, nobody.pw_gid)
        command = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups", "--"] + command
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=open(f"{directory}/stderr.log", "wb"))
    started.append(process)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if request("GET", "/healthz", port=port, tls=True, timeout=2)[0] == 200:
                return process, port
        except OSError:
            time.sleep(0.1)
    with open(f"{directory}/stderr.log", "rb") as f:
        check(False, "nginx did not answer: " + f.read()[-1000:].decode(errors="replace"))


def psql(sql):
    run = subprocess.run([PSQL, DATABASE_URL, "-At", "-c", sql], capture_output=True, text=True, timeout=60)
    check(run.returncode == 0, f"psql: {run.stderr}")
    return run.stdout.strip()


def free_slots(proxy, wanted):
    """Free online slots from tomorrow, one motive per practitioner (its slots never overlap)."""
    status, _, body = request("GET", "/api/v1/practitioners?limit=100", port=proxy, tls=True)
    check(status == 200, f"practitioners: {status}")
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    slots = []
    for practitioner in json.loads(body)["practitioners"]:
        status, _, body = request("GET", f"/api/v1/practitioners/{practitioner['id']}/motives", port=proxy, tls=True)
        motives = [m for m in json.loads(body).get("motives", []) if "online" in m.get("channels", []) and m.get("patients") != "known"]
        if status != 200 or not motives:
            continue
        motive = motives[0]
        status, _, body = request("GET", f"/api/v1/availability?practitioner={practitioner['id']}&motive={motive['id']}&from={tomorrow}&days=14",
                                  port=proxy, tls=True)
        if status == 200:
            slots += [(practitioner["id"], motive["id"], s["start"]) for s in json.loads(body)["slots"] if s.get("seatsLeft", 1) == 1][:40]
    check(len(slots) >= wanted, f"only {len(slots)} free slots found")
    return slots[:wanted]


REFERRER = []
# Each run's patients are its own (a run on a database used before finds nobody it made).
RUN = "".join(chr(ord("a") + b % 26) for b in os.urandom(6))


def find_referrer(proxy):
    """A referring doctor of the directory: first visits in some departments need one."""
    for words in ["ma", "de", "le", "ro", "be", "du", "la"]:
        status, _, body = request("GET", f"/api/v1/referring-doctors?q={words}&limit=1", port=proxy, tls=True)
        doctors = json.loads(body).get("referringDoctors", []) if status == 200 else []
        if doctors:
            REFERRER.append(doctors[0]["id"])
            return
    check(False, "no referring doctor in the directory")


def booking(slot, n):
    practitioner, motive, start = slot
    return {"practitioner": practitioner, "motive": motive, "start": start, "referringDoctor": REFERRER[0],
            "patient": {"firstName": "Storm", "lastName": f"Patient {RUN} {n}", "birthDate": "1980-01-01", "email": f"storm{n}.{RUN}@example.org"}}


def race(proxy, slot):
    def one(n):
        headers = {"Idempotency-Key": str(uuid.uuid4()), "X-Forwarded-For": f"198.51.100.{n % 50 + 1}"}
        return request("POST", "/api/v1/appointments", booking(slot, n), headers, port=proxy, tls=True, timeout=60)[0]
    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(one, range(200)))
    check(statuses.count(201) == 1 and statuses.count(409) == 199,
          f"the race: {sorted((s, statuses.count(s)) for s in set(statuses))}")


def storm(proxy, slots, victim):
    """Books every slot through the proxy while `victim` is killed and started again."""
    answers = {}
    retried, killed_after = [0], [0]
    lock = threading.Lock()

    def book(item):
        n, slot = item
        key, body = str(uuid.uuid4()), booking(slot, 1000 + n)
        headers = {"Idempotency-Key": key, "X-Forwarded-For": f"203.0.113.{n % 200 + 1}"}
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                status, response_headers, data = request("POST", "/api/v1/appointments", body, headers, port=proxy, tls=True)
                if status not in (502, 503, 504):
                    answers[n] = (status, json.loads(data) if data else {}, response_headers, key, body, headers)
                    return
            except (OSError, http.client.HTTPException):
                pass
            with lock:
                retried[0] += 1
            time.sleep(0.2)
        answers[n] = (0, {}, {}, key, body, headers)

    def kill_and_restart():
        # Mid-storm: once a few bookings are answered (bounded: at most 30 s).
        deadline = time.time() + 30
        while len(answers) < 15 and time.time() < deadline:
            time.sleep(0.01)
        killed_after[0] = len(answers)
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait()
        time.sleep(1.5)
        victim.start()
        victim.wait_healthy()

    killer = threading.Thread(target=kill_and_restart)
    killer.start()
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(book, enumerate(slots)))
    killer.join()
    return answers, retried[0], killed_after[0]


def main():
    before = int(psql("SELECT count(*) FROM appointments"))
    one, two = Instance("one", free_port()), Instance("two", free_port())
    for instance in (one, two):
        instance.start()
    for instance in (one, two):
        instance.wait_healthy()
    _, proxy = start_nginx([one.port, two.port])

    find_referrer(proxy)
    slots = free_slots(proxy, 121)
    race(proxy, slots[0])

    answers, retried, killed_after = storm(proxy, slots[1:], one)
    check(killed_after < len(slots) - 1, f"the storm was over ({killed_after} answered) before the kill")
    statuses = [answer[0] for answer in answers.values()]
    refusals = sorted({json.dumps(answer[1].get("error", {}).get("code")) for answer in answers.values() if answer[0] != 201})
    check(statuses.count(201) == len(slots) - 1, f"the storm: {sorted((s, statuses.count(s)) for s in set(statuses))}, refused with {refusals}")
    # Every 201 is there, with its manage token (in the answer's body); the same request again
    # replays the first answer, token included — what a client that lost it gets.
    for status, appointment, headers, key, body, request_headers in answers.values():
        token = appointment.get("manageToken")
        check(token is not None, f"no manage token in the answer to {key}")
        status, _, data = request("GET", f"/api/v1/appointments/{appointment['id']}", headers={"Creneau-Manage-Token": token}, port=proxy, tls=True)
        check(status == 200 and json.loads(data)["status"] == "booked", f"appointment {appointment['id']}: {status}")
        status, _, data = request("POST", "/api/v1/appointments", body, request_headers, port=proxy, tls=True)
        replayed = json.loads(data)
        check(status == 201 and replayed["id"] == appointment["id"] and replayed.get("manageToken") == token, f"the replay of {key}: {status} {data[:200]}")
    after = int(psql("SELECT count(*) FROM appointments"))
    check(after - before == len(slots), f"{after - before} appointments written for {len(slots)} answered")
    # Visits of a group motive share their time by design (capacity > 1); nothing else may.
    overlaps = int(psql("""SELECT count(*) FROM appointments a JOIN appointments b ON a.practitioner_id = b.practitioner_id AND a.id < b.id
                           AND a.status <> 'cancelled' AND b.status <> 'cancelled' AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
                           JOIN motives m ON m.id = a.motive_id WHERE NOT (a.motive_id = b.motive_id AND m.capacity > 1)"""))
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
        limited.append(request("POST", "/api/v1/appointments", booking(slots[0], 5000 + n), headers, port=proxy, tls=True)[0])
    check(limited[:20] == [409] * 20 and limited[20] == 429, f"the shared limit: {limited}")

    print(f"ok race 1/200, storm {len(slots) - 1} booked with instance one killed after {killed_after} answers and restarted ({retried} retries), "
          f"session across instances, shared limit")


if __name__ == "__main__":
    try:
        main()
    except AssertionError:
        print("FAILED: " + "; ".join(failures))
        sys.exit(1)
    finally:
        for process in started:
            if process.poll() is None:
                process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
