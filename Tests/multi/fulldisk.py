#!/usr/bin/env python3
"""A full disk under the embedded SQLite database: the demo server runs on a small tmpfs, the disk
is filled to the last byte, and then:

1. bookings answer 503 with a sentence (never a 500), nothing half-written, the server stays up
   and keeps answering reads (search, the practitioner's page, /healthz);
2. once space is freed, the same requests (same Idempotency-Key) are booked without a restart;
3. after the server stops, SQLite's integrity check passes and the database holds exactly the
   bookings that answered 201.

Arguments: CRENEAU_EXECUTABLE FOLDER. Needs root (it mounts a tmpfs in FOLDER); prints "ok …" when
every check passed; stops the server and unmounts whatever happens. Bounded: about a minute.
"""
import json
import os
import sqlite3
import subprocess
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from servers import Instance, booking, check, find_referrer, free_slots, request, run_checks  # noqa: E402

EXECUTABLE, FOLDER = sys.argv[1:3]
DISK = os.path.join(FOLDER, "disk")
FILLER = os.path.join(DISK, "filler")
mounted = []


def fill():
    """Writes until the disk refuses a byte more."""
    with open(FILLER, "wb", buffering=0) as f:
        for size in (1 << 20, 1 << 14, 1 << 10, 64, 1):
            block = b"\0" * size
            try:
                while True:
                    f.write(block)
            except OSError:
                pass


def main():
    os.makedirs(DISK)
    run = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", DISK], capture_output=True, text=True)
    check(run.returncode == 0, f"cannot mount a tmpfs: {run.stderr.strip()}")
    mounted.append(DISK)
    # The server's log stays off the small disk: what it says about the full disk is the point.
    server = Instance("server", EXECUTABLE, FOLDER, {"CRENEAU_RATE_LIMITS": "off", "CRENEAU_LOG_LEVEL": "notice"},
                      options=["--demo"], workdir=DISK)
    server.start()
    server.wait_healthy()
    referrer = find_referrer(server.port)
    slots = free_slots(server.port, 12)
    database = os.path.join(DISK, "data", "creneau.sqlite")
    before = sqlite3.connect(f"file:{database}?mode=ro", uri=True).execute("SELECT count(*) FROM appointments").fetchone()[0]

    def book(slot, n, key):
        return request("POST", "/api/v1/appointments", booking(slot, n, referrer), {"Idempotency-Key": key}, port=server.port)

    status, _, body = book(slots[0], 0, str(uuid.uuid4()))
    check(status == 201, f"the first booking: {status} {body[:200]}")

    # The log truncated first, so the next write must grow a file (else it may fit in the log's old pages).
    sqlite3.connect(database, timeout=30).execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    fill()
    # A write that fits in space SQLite already holds (its log's pages) may still succeed: that is
    # fine, it is on disk. Anything else must be a 503 with a sentence, never a 500.
    answers = []
    keys = [str(uuid.uuid4()) for _ in slots[1:]]
    for n, (slot, key) in enumerate(zip(slots[1:], keys), start=1):
        status, _, body = book(slot, n, key)
        answers.append(status)
        check(status in (201, 503), f"a booking on a full disk answered {status}: {body[:300]}")
        if status == 503:
            check(json.loads(body).get("error", {}).get("message"), f"no sentence in the 503: {body[:300]}")
    refused = [status for status in answers if status == 503]
    check(refused, f"no booking was refused on a full disk: {answers}")
    check(server.process.poll() is None, "the server stopped on a full disk")
    for path in ("/healthz", "/search?q=cardiologie", "/api/v1/practitioners?limit=5"):
        status, _, _ = request("GET", path, port=server.port)
        check(status == 200, f"{path} on a full disk: {status}")

    os.remove(FILLER)
    for n, (slot, key) in enumerate(zip(slots[1:], keys), start=1):
        status, _, body = book(slot, n, key)
        check(status == 201, f"the same booking once space is back: {status} {body[:300]}")

    server.process.terminate()
    server.process.wait(timeout=30)
    connection = sqlite3.connect(database)
    integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
    check(integrity == "ok", f"integrity check: {integrity}")
    after = connection.execute("SELECT count(*) FROM appointments").fetchone()[0]
    check(after - before == len(slots), f"{after - before} appointments written for {len(slots)} answered 201")
    print(f"ok {len(refused)} bookings refused with 503 on a full disk (reads still served), all {len(slots) - 1} booked with their keys "
          f"once space was back, integrity ok, {after - before} rows for {len(slots)} answers")


def unmount():
    for path in mounted:
        subprocess.run(["umount", "-l", path], capture_output=True)


if __name__ == "__main__":
    run_checks(main, unmount)
