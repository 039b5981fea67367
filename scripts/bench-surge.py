#!/usr/bin/env python3
"""A surge on the search page, measured from outside (issue 20, part 3).

Usage: bench-surge.py BASE_URL MODE [SECONDS] [RATE]
  capacity  closed loop, 16 visitors at once for SECONDS: the requests per second the server
            answers on the search page (each on a new connection, as new visitors come).
  surge     open loop: new visitors arrive at RATE a second for SECONDS; each asks for the search
            page, waits on the waiting page as it says (its Refresh header, its ticket cookie) until
            let in, then opens a practitioner's page with its pass. Reports the latency of every
            answer that served a page (admitted requests), the waiting pages, any other 5xx, and
            how long visitors waited. Bounded: visitors give up after 180 s.

Standard library only (asyncio streams), so it runs on Debian's python3; with uvloop installed
(`pip install uvloop`) it uses that faster event loop, and the generator takes less of the two
cores it shares with the server (it says which loop it ran on).
"""
import asyncio
import random
import resource
import sys
import time
import urllib.parse

BASE = sys.argv[1]
MODE = sys.argv[2]
SECONDS = float(sys.argv[3]) if len(sys.argv) > 3 else 15
RATE = float(sys.argv[4]) if len(sys.argv) > 4 else 100
URL = urllib.parse.urlsplit(BASE)
HOST, PORT = URL.hostname, URL.port or 80
SEARCH = "/search?q=cardiologie"


async def get(path, cookies):
    """GET on a new connection: (status, headers (lower-case, Set-Cookie as a list), seconds); status 0
    when the connection was refused or closed without an answer."""
    started = time.perf_counter()
    try:
        return await exchange(path, cookies, started)
    except OSError:
        return 0, {"set-cookie": []}, time.perf_counter() - started


async def exchange(path, cookies, started):
    reader, writer = await asyncio.open_connection(HOST, PORT)
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    request = (f"GET {path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nAccept: text/html\r\nAccept-Language: fr\r\n"
               + (f"Cookie: {cookie}\r\n" if cookie else "") + "Connection: close\r\n\r\n")
    writer.write(request.encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    seconds = time.perf_counter() - started
    head = data.split(b"\r\n\r\n", 1)[0].decode(errors="replace").split("\r\n")
    if not head[0].startswith("HTTP/"):
        return 0, {"set-cookie": []}, seconds  # closed without an answer
    status = int(head[0].split(" ")[1])
    headers = {"set-cookie": []}
    for line in head[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "set-cookie":
            headers["set-cookie"].append(value)
        else:
            headers[name] = value
    return status, headers, seconds


def keep_cookies(cookies, headers):
    for line in headers["set-cookie"]:
        pair = line.split(";", 1)[0]
        name, _, value = pair.partition("=")
        if value:
            cookies[name] = value
        else:
            cookies.pop(name, None)


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def capacity():
    served, latencies, statuses = 0, [], {}
    deadline = time.perf_counter() + SECONDS

    async def visitor():
        nonlocal served
        while time.perf_counter() < deadline:
            status, _, seconds = await get(SEARCH, {})
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                served += 1
                latencies.append(seconds)

    started = time.perf_counter()
    await asyncio.gather(*(visitor() for _ in range(16)))
    elapsed = time.perf_counter() - started
    print(f"capacity: {served / elapsed:.0f} search pages/s, p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
          f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, statuses {statuses}")


async def surge():
    admitted, waiting_pages, other_5xx, statuses, waits, gave_up = [], 0, 0, {}, [], 0
    practitioner = None

    async def visitor():
        nonlocal waiting_pages, other_5xx, gave_up, practitioner
        cookies, arrived = {}, time.perf_counter()
        while True:
            status, headers, seconds = await get(SEARCH, cookies)
            statuses[status] = statuses.get(status, 0) + 1
            keep_cookies(cookies, headers)
            if status == 200:
                admitted.append(seconds)
                waits.append(time.perf_counter() - arrived)
                break
            if status == 503 and "refresh" in headers:
                waiting_pages += 1
                if time.perf_counter() - arrived > 180:
                    gave_up += 1
                    return
                await asyncio.sleep(int(headers["refresh"]))
                continue
            if status >= 500:
                other_5xx += 1
            if status == 0:
                # Closed without an answer: the visitor tries again a second later.
                await asyncio.sleep(1)
                continue
            return
        # Let in: a practitioner's page with the pass.
        if practitioner:
            status, _, seconds = await get(practitioner, cookies)
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                admitted.append(seconds)
            elif status >= 500 and status != 503:
                other_5xx += 1

    # One practitioner's address from the search page, before the surge.
    _, _, _ = await get(SEARCH, {})
    reader, writer = await asyncio.open_connection(HOST, PORT)
    writer.write(f"GET {SEARCH} HTTP/1.1\r\nHost: {HOST}\r\nAccept: text/html\r\nConnection: close\r\n\r\n".encode())
    body = (await reader.read()).decode(errors="replace")
    writer.close()
    marker = body.find('href="/practitioners/')
    if marker >= 0:
        practitioner = body[marker + 6:body.find('"', marker + 6)]

    tasks, started = [], time.perf_counter()
    count = int(SECONDS * RATE)
    for n in range(count):
        # Poisson arrivals at RATE a second.
        await asyncio.sleep(random.expovariate(RATE))
        tasks.append(asyncio.create_task(visitor()))
    arrivals = time.perf_counter() - started
    await asyncio.gather(*tasks)
    print(f"surge: {count} visitors in {arrivals:.1f} s ({count / arrivals:.0f}/s), all done after {time.perf_counter() - started:.0f} s")
    print(f"  admitted requests: {len(admitted)}, p50 {percentile(admitted, 0.5) * 1000:.0f} ms, "
          f"p99 {percentile(admitted, 0.99) * 1000:.0f} ms, max {max(admitted, default=0) * 1000:.0f} ms")
    print(f"  waiting pages: {waiting_pages}; visitors' wait p50 {percentile(waits, 0.5):.1f} s, p99 {percentile(waits, 0.99):.1f} s; "
          f"gave up: {gave_up}")
    print(f"  5xx other than the waiting room's 503: {other_5xx}; statuses {statuses}")


try:
    import uvloop
    uvloop.install()
    LOOP = "uvloop"
except ImportError:
    LOOP = "asyncio"
print(f"(event loop: {LOOP})", file=sys.stderr)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
asyncio.run(capacity() if MODE == "capacity" else surge())
