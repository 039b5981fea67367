"""What the multi-instance and failover scripts share: requests on a connection of their own,
`creneau serve` instances started and watched, free slots and a referring doctor from the API,
and the checks that stop a run with the reason."""
import datetime
import http.client
import json
import os
import pwd
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

UNVERIFIED = ssl._create_unverified_context()
failures = []
started = []
# Each run's patients are its own (a run on a database used before finds nobody it made).
RUN = "".join(chr(ord("a") + b % 26) for b in os.urandom(6))


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
    """One `creneau serve` on a port of its own, run in FOLDER (or `workdir`), logging to FOLDER/NAME.log."""

    def __init__(self, name, executable, folder, environment, options=(), workdir=None):
        self.name, self.executable, self.folder = name, executable, folder
        self.environment, self.port, self.process = environment, free_port(), None
        self.options, self.workdir = list(options), workdir or folder

    def start(self):
        environment = dict(os.environ)
        environment.update(self.environment)
        log = open(os.path.join(self.folder, f"{self.name}.log"), "ab")
        self.process = subprocess.Popen([self.executable, "serve", "--port", str(self.port)] + self.options, cwd=self.workdir, env=environment,
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
        with open(os.path.join(self.folder, f"{self.name}.log"), "rb") as f:
            return f.read()[-2000:].decode(errors="replace")


def free_slots(port, wanted, tls=False):
    """Free online slots from the day after tomorrow, one motive per practitioner (its slots never overlap)."""
    status, _, body = request("GET", "/api/v1/practitioners?limit=100", port=port, tls=tls)
    check(status == 200, f"practitioners: {status}")
    first_day = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    slots = []
    for practitioner in json.loads(body)["practitioners"]:
        status, _, body = request("GET", f"/api/v1/practitioners/{practitioner['id']}/motives", port=port, tls=tls)
        motives = [m for m in json.loads(body).get("motives", []) if "online" in m.get("channels", []) and m.get("patients") != "known"]
        if status != 200 or not motives:
            continue
        motive = motives[0]
        status, _, body = request("GET", f"/api/v1/availability?practitioner={practitioner['id']}&motive={motive['id']}&from={first_day}&days=14",
                                  port=port, tls=tls)
        if status == 200:
            slots += [(practitioner["id"], motive["id"], s["start"]) for s in json.loads(body)["slots"] if s.get("seatsLeft", 1) == 1][:40]
    check(len(slots) >= wanted, f"only {len(slots)} free slots found")
    return slots[:wanted]


def find_referrer(port, tls=False):
    """A referring doctor of the directory: first visits in some departments need one."""
    for words in ["ma", "de", "le", "ro", "be", "du", "la"]:
        status, _, body = request("GET", f"/api/v1/referring-doctors?q={words}&limit=1", port=port, tls=tls)
        doctors = json.loads(body).get("referringDoctors", []) if status == 200 else []
        if doctors:
            return doctors[0]["id"]
    check(False, "no referring doctor in the directory")


def booking(slot, n, referrer):
    practitioner, motive, start = slot
    return {"practitioner": practitioner, "motive": motive, "start": start, "referringDoctor": referrer,
            "patient": {"firstName": "Storm", "lastName": f"Patient {RUN} {n}", "birthDate": "1980-01-01", "email": f"storm{n}.{RUN}@example.org"}}


OVERLAPS = """SELECT count(*) FROM appointments a JOIN appointments b ON a.practitioner_id = b.practitioner_id AND a.id < b.id
              AND a.status <> 'cancelled' AND b.status <> 'cancelled' AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
              JOIN motives m ON m.id = a.motive_id WHERE NOT (a.motive_id = b.motive_id AND m.capacity > 1)"""
"""Visits of a practitioner that overlap: group motives (capacity > 1) share their time by design; nothing else may."""


def storm(slots, referrer, post, disrupt, disrupt_after=15, clients=16, patience=90):
    """Books every slot from `clients` threads while `disrupt` runs once `disrupt_after` bookings
    are answered. `post(body, headers, attempt)` sends one try; a client retries connection errors
    and 502/503/504 with the same Idempotency-Key for `patience` seconds. Returns the answers
    by booking (status, body, headers, key, request body, request headers, seconds since the
    disruption began or None), the number of retries, and how many were answered before."""
    answers = {}
    retried, disrupted = [0], [None, None]
    lock = threading.Lock()

    def book(item):
        n, slot = item
        key, body = str(uuid.uuid4()), booking(slot, 1000 + n, referrer)
        headers = {"Idempotency-Key": key, "X-Forwarded-For": f"203.0.113.{n % 200 + 1}"}
        deadline, attempt = time.time() + patience, 0
        while time.time() < deadline:
            try:
                status, response_headers, data = post(body, headers, attempt)
                if status not in (502, 503, 504):
                    since = time.time() - disrupted[1] if disrupted[1] is not None else None
                    answers[n] = (status, json.loads(data) if data else {}, response_headers, key, body, headers, since)
                    return
            except (OSError, http.client.HTTPException):
                pass
            attempt += 1
            with lock:
                retried[0] += 1
            time.sleep(0.2)
        answers[n] = (0, {}, {}, key, body, headers, None)

    def wait_then_disrupt():
        # Mid-storm: once a few bookings are answered (bounded: at most 30 s).
        deadline = time.time() + 30
        while len(answers) < disrupt_after and time.time() < deadline:
            time.sleep(0.01)
        disrupted[0], disrupted[1] = len(answers), time.time()
        disrupt()

    disruptor = threading.Thread(target=wait_then_disrupt)
    disruptor.start()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(book, enumerate(slots)))
    disruptor.join()
    check(disrupted[0] is not None and disrupted[0] < len(slots), f"the storm was over ({disrupted[0]} answered) before the disruption")
    statuses = [answer[0] for answer in answers.values()]
    refusals = sorted({json.dumps(answer[1].get("error", {}).get("code")) for answer in answers.values() if answer[0] != 201})
    check(statuses.count(201) == len(slots), f"the storm: {sorted((s, statuses.count(s)) for s in set(statuses))}, refused with {refusals}")
    return answers, retried[0], disrupted[0]


def check_answers(answers, port, tls=False):
    """Every 201 is there, with its manage token (in the answer's body); the same request again
    replays the first answer, token included — what a client that lost it gets."""
    for _, appointment, _, key, body, request_headers, _ in answers.values():
        token = appointment.get("manageToken")
        check(token is not None, f"no manage token in the answer to {key}")
        status, _, data = request("GET", f"/api/v1/appointments/{appointment['id']}", headers={"Creneau-Manage-Token": token}, port=port, tls=tls)
        check(status == 200 and json.loads(data)["status"] == "booked", f"appointment {appointment['id']}: {status}")
        status, _, data = request("POST", "/api/v1/appointments", body, request_headers, port=port, tls=tls)
        replayed = json.loads(data)
        check(status == 201 and replayed["id"] == appointment["id"] and replayed.get("manageToken") == token, f"the replay of {key}: {status} {data[:200]}")


def stop_started():
    """Stops every process the run started, whatever happened."""
    for process in started:
        if process.poll() is None:
            process.terminate()
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def as_user(user, arguments):
    """The command run as `user` when we are root (PostgreSQL refuses root; nginx need not have it)."""
    if os.geteuid() != 0:
        return arguments
    owner = pwd.getpwnam(user)
    return ["setpriv", f"--reuid={owner.pw_uid}", f"--regid={owner.pw_gid}", "--clear-groups", "--"] + arguments


def start_nginx(directory, http, port):
    """Debian's nginx in `directory` (its own pid, logs and temp folders; as `nobody` when we are
    root) with `http` as the body of its http block; returns once it answers TLS on `port`. The
    folder holds a self-signed cert.pem and key.pem for it."""
    os.makedirs(os.path.join(directory, "temp"), exist_ok=True)
    if not os.path.exists(f"{directory}/cert.pem"):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{directory}/key.pem",
                        "-out", f"{directory}/cert.pem", "-days", "1", "-subj", "/CN=localhost"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(f"{directory}/nginx.conf", "w") as f:
        f.write(f"""daemon off;
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
{http}
}}
""")
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        for path, _, files in os.walk(directory):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
            for name in files:
                os.chown(os.path.join(path, name), nobody.pw_uid, nobody.pw_gid)
    command = as_user("nobody", ["/usr/sbin/nginx", "-p", directory, "-e", f"{directory}/error.log", "-c", f"{directory}/nginx.conf"])
    test = subprocess.run(command + ["-t"], capture_output=True, text=True)
    check(test.returncode == 0, f"nginx -t: {test.stderr[-1000:]}")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=open(f"{directory}/stderr.log", "wb"))
    started.append(process)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if request("GET", "/healthz", port=port, tls=True, timeout=2)[0] == 200:
                return process
        except OSError:
            time.sleep(0.1)
    with open(f"{directory}/stderr.log", "rb") as f:
        check(False, "nginx did not answer: " + f.read()[-1000:].decode(errors="replace"))


def run_checks(main, cleanup=lambda: None):
    """Runs a script's checks: "FAILED: …" and exit 1 when one failed; everything it started is
    stopped, and `cleanup` run, whatever happens."""
    try:
        main()
    except AssertionError:
        print("FAILED: " + "; ".join(failures))
        sys.exit(1)
    finally:
        stop_started()
        cleanup()
