#!/usr/bin/env python3
"""Times SMART $bulk-publish pulls and the FHIR Slot search against a running Creneau.

Usage: bench-publish.py BASE_URL [BOOKINGS]
1. The manifest and the three files, full (seconds, MB, lines).
2. BOOKINGS bookings through the JSON API on distinct practitioners (as patients would
   book), a wait for the publication to follow them, then the incremental Slot pull
   with the manifest's transactionTime as _since.
3. The FHIR Slot search for one schedule and 7 days, 300 schedules in turn on one
   kept-open connection: p50 / p99.
Bounded: every request has a 120 s timeout; the script stops by itself.
"""
import http.client
import json
import sys
import time
import urllib.parse
import uuid


def connect(base):
    parts = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)


def get(connection, path, headers=None):
    started = time.perf_counter()
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    return response.status, body, time.perf_counter() - started, response


newline = b"\n"


def main():
    base = sys.argv[1].rstrip("/")
    bookings = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    connection = connect(base)
    status, body, seconds, _ = get(connection, "/fhir/$bulk-publish")
    manifest = json.loads(body)
    print(f"manifest: {seconds * 1000:.1f} ms")
    for output in manifest["output"]:
        path = urllib.parse.urlsplit(output["url"]).path
        status, body, seconds, _ = get(connection, path)
        assert status == 200, (path, status)
        print(f"full {output['type']}.ndjson: {seconds:.2f} s, {len(body) / 1e6:.1f} MB, {body.count(newline)} lines")
    since = manifest["transactionTime"]

    # Bookings on distinct practitioners, from the public search (first slot of each result).
    booked = 0
    for specialty in ["medecine-generale", "cardiologie", "dermatologie", "pediatrie", "gynecologie", "radiologie"]:
        if booked >= bookings:
            break
        status, body, _, _ = get(connection, f"/api/v1/search?specialty={specialty}&days=7&limit=100")
        if status != 200:
            continue
        for result in json.loads(body).get("results", []):
            if booked >= bookings or not result.get("slots") or not result.get("motive"):
                continue
            request = {"practitioner": result["practitioner"]["id"], "motive": result["motive"]["id"], "start": result["slots"][0]["start"],
                       "patient": {"firstName": "Bench", "lastName": f"Publication{booked}", "birthDate": "1980-01-01", "email": f"bench{booked}@example.org"}}
            connection.request("POST", "/api/v1/appointments", body=json.dumps(request),
                               headers={"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
            response = connection.getresponse()
            response.read()
            if response.status == 201:
                booked += 1
    print(f"bookings made: {booked}")
    # The publication follows within a pass or two (every two seconds).
    deadline = time.time() + 60
    lines = 0
    while time.time() < deadline:
        status, body, seconds, _ = get(connection, f"/fhir/$bulk-publish/Slot.ndjson?_since={since}")
        lines = body.count(b"\n")
        if lines > 0:
            time.sleep(4)
            status, body, seconds, _ = get(connection, f"/fhir/$bulk-publish/Slot.ndjson?_since={since}")
            lines = body.count(b"\n")
            break
        time.sleep(1)
    print(f"incremental Slot.ndjson (_since before the bookings): {seconds * 1000:.0f} ms, {len(body) / 1e3:.0f} kB, {lines} lines")

    status, body, _, _ = get(connection, "/fhir/$bulk-publish/Schedule.ndjson")
    schedules = [json.loads(line)["id"] for line in body.splitlines()[:300]]
    latencies = []
    for schedule in schedules:
        status, body, seconds, _ = get(connection, f"/fhir/Slot?schedule=Schedule/{schedule}&_count=500")
        assert status == 200, status
        latencies.append(seconds)
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    print(f"FHIR Slot search, one schedule, 7 days ({len(latencies)} schedules): p50 {p50:.1f} ms, p99 {p99:.1f} ms")


if __name__ == "__main__":
    main()
