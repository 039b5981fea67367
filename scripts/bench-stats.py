#!/usr/bin/env python3
"""Times the statistics surface against a running Creneau on a loaded database (aphp profile).

Usage: bench-stats.py BASE_URL INVITATION_LINK [ROUNDS]
Enrols the group administrator `creneau admin create` invited (a password, the authenticator key
the welcome page shows, a code computed here by RFC 6238), signs in, then, on one kept-open
connection:
1. the group's dashboard over 12 months (HTML), ROUNDS times: p50 / p99 (the first request
   after start is reported on its own);
2. every site's dashboard, then 100 departments' (the drill-down), 12 months: p50 / p99;
3. the JSON API for the group;
4. a year's CSV for the group: every table of the view, one after the other: total seconds.
Bounded: every request has a 120 s timeout; the script stops by itself.
"""
import hashlib
import hmac
import http.client
import json
import re
import struct
import sys
import time
import urllib.parse


def totp(secret, at=None):
    # Creneau's authenticator keys are the text shown (the app is given its base32 form).
    key = secret.encode()
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main():
    base, link = sys.argv[1].rstrip("/"), sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 200

    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)

    def request(method, path, body=None, headers=None):
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return response.status, data, time.perf_counter() - started, response

    # The welcome page: a password and the authenticator key it shows.
    welcome = urllib.parse.urlsplit(link)
    status, data, _, response = request("GET", f"{welcome.path}?{welcome.query}", headers={"Accept": "text/html"})
    assert status == 200, (status, data[:300])
    page = data.decode()
    fields = dict(re.findall(r'name="(_csrf|token|secret)" value="([^"]*)"', page))
    cookies = "; ".join(c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [])
    password = "bench statistics password 2026"
    form = urllib.parse.urlencode({**fields, "password": password, "code": totp(fields["secret"])})
    status, data, _, response = request("POST", "/staff/welcome", form, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies,
                                                                        "Accept": "text/html", "Origin": base})
    assert status in (200, 303), (status, re.findall(r'role="alert"[^>]*>([^<]*)', data.decode()))
    body = json.dumps({"email": sys.argv[4] if len(sys.argv) > 4 else "bench.stats@aphp.demo", "password": password,
                       "code": totp(fields["secret"], time.time() + 30), "session": "browser"})
    status, data, _, response = request("POST", "/api/v1/sessions", body, {"Content-Type": "application/json"})
    assert status in (200, 201), (status, data[:300])
    cookie = response.getheader("Set-Cookie").split(";")[0]
    html = {"Cookie": cookie, "Accept": "text/html"}
    period = "grain=month&from=2026-01&to=2026-12"

    def timed(path, times, headers=html):
        seconds = []
        last = b""
        for _ in range(times):
            status, last, elapsed, _ = request("GET", path, headers=headers)
            assert status == 200, (path, status, last[:300])
            seconds.append(elapsed)
        return seconds, last

    first, page = timed(f"/admin/statistics?{period}", 1)
    print(f"group dashboard, first request after start: {first[0] * 1000:.0f} ms ({len(page) / 1e3:.0f} kB)")
    group, page = timed(f"/admin/statistics?{period}", rounds)
    print(f"group dashboard, 12 months, {rounds} requests: p50 {percentile(group, .5) * 1000:.1f} ms, p99 {percentile(group, .99) * 1000:.1f} ms")

    sites = sorted(set(re.findall(r"\?site=([0-9a-f-]{36})", page.decode())))
    site_times, departments = [], set()
    for site in sites:
        seconds, site_page = timed(f"/admin/statistics?site={site}&{period}", 1)
        site_times += seconds
        departments.update(re.findall(r"\?department=([0-9a-f-]{36})", site_page.decode()))
    print(f"site dashboards ({len(sites)}): p50 {percentile(site_times, .5) * 1000:.1f} ms, p99 {percentile(site_times, .99) * 1000:.1f} ms")
    department_times = []
    for department in sorted(departments)[:100]:
        seconds, _ = timed(f"/admin/statistics?department={department}&{period}", 1)
        department_times += seconds
    if department_times:
        print(f"department dashboards ({len(department_times)}): p50 {percentile(department_times, .5) * 1000:.1f} ms, "
              f"p99 {percentile(department_times, .99) * 1000:.1f} ms")

    api, _ = timed(f"/api/v1/statistics?{period}", 20, {"Cookie": cookie})
    print(f"JSON API, group, 12 months: p50 {percentile(api, .5) * 1000:.1f} ms, p99 {percentile(api, .99) * 1000:.1f} ms")

    started = time.perf_counter()
    size = 0
    for table in ["trend", "breakdown", "channels", "patients", "access"]:
        _, data = timed(f"/admin/statistics/{table}.csv?{period}", 1, {"Cookie": cookie})
        size += len(data)
    print(f"a year's CSV for the group (5 tables): {time.perf_counter() - started:.2f} s, {size / 1e3:.0f} kB")
    started = time.perf_counter()
    _, data = timed(f"/admin/statistics/breakdown.csv?grain=week&from=2025-12-01&to=2026-11-30", 1, {"Cookie": cookie})
    print(f"a year of weeks, group breakdown CSV: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
