#!/usr/bin/env python3
"""Holds many idle connections open against a Creneau server and watches /healthz meanwhile.

Usage:
  scripts/hold-connections.py hold URL [--count 20000] [--addresses 10] [--seconds 30]
      Opens COUNT connections spread over ADDRESSES loopback source addresses
      (127.0.0.2, 127.0.0.3, ...), keeps reopening those the server closes, and asks
      /healthz from 127.0.0.1 once a second for SECONDS seconds. Prints each answer's
      time and a summary; exits 1 if /healthz ever failed or took more than 2 s.
  scripts/hold-connections.py check URL IDLE_SECONDS PER_ADDRESS
      The CI check against a server started with small limits: connections over the
      per-address cap are closed at once, idle ones and half-sent requests after the
      idle timeout, and /healthz answers from another address all along.

Loopback only, bounded in count and time; stops by itself. Standard library only.
"""
import http.client
import multiprocessing
import os
import resource
import socket
import sys
import time
import urllib.parse


def healthz(host, port, timeout=5.0):
    started = time.monotonic()
    try:
        connection = http.client.HTTPConnection(host, port, timeout=timeout, source_address=("127.0.0.1", 0))
        connection.request("GET", "/healthz")
        status = connection.getresponse().status
        connection.close()
    except OSError as error:
        return 0, time.monotonic() - started, repr(error)
    return status, time.monotonic() - started, ""


def open_from(address, host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    sock.bind((address, 0))
    try:
        sock.connect((host, port))
    except BlockingIOError:
        pass
    return sock


def closed_by_server(sock):
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def holder(address, count, host, port, seconds, results):
    """One process: keeps `count` connections from `address` open for `seconds`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    sockets, opened, refused, reopened = [], 0, 0, 0
    deadline = time.monotonic() + seconds
    for _ in range(count):
        try:
            sockets.append(open_from(address, host, port))
            opened += 1
        except OSError:
            refused += 1
    while time.monotonic() < deadline:
        time.sleep(1)
        for index, sock in enumerate(sockets):
            if closed_by_server(sock):
                sock.close()
                try:
                    sockets[index] = open_from(address, host, port)
                    reopened += 1
                except OSError:
                    refused += 1
    held = sum(1 for sock in sockets if not closed_by_server(sock))
    for sock in sockets:
        sock.close()
    results.put((address, opened, held, reopened, refused))


def hold(url, count, addresses, seconds):
    target = urllib.parse.urlsplit(url)
    host, port = target.hostname, target.port
    results = multiprocessing.Queue()
    per = count // addresses
    workers = [multiprocessing.Process(target=holder, args=(f"127.0.0.{2 + i}", per, host, port, seconds, results)) for i in range(addresses)]
    for worker in workers:
        worker.start()
    time.sleep(2)
    answers = []
    for second in range(max(1, seconds - 4)):
        status, took, error = healthz(host, port)
        answers.append((status, took))
        print(f"t+{second + 2:3d} s  /healthz {status} in {took * 1000:7.1f} ms {error}", flush=True)
        time.sleep(max(0.0, 1.0 - took))
    for worker in workers:
        worker.join(seconds + 30)
    summary = [results.get() for _ in workers if not results.empty()]
    print(f"{count} connections asked from {addresses} addresses for {seconds} s:")
    for address, opened, held, reopened, refused in summary:
        print(f"  {address}: opened {opened}, still open at the end {held}, reopened after the server closed them {reopened}, refused {refused}")
    worst = max(took for _, took in answers)
    failed = [a for a in answers if a[0] != 200 or a[1] > 2.0]
    print(f"/healthz: {len(answers)} answers, {len(failed)} failed or over 2 s, slowest {worst * 1000:.1f} ms")
    return 1 if failed else 0


def check(url, idle, per_address):
    target = urllib.parse.urlsplit(url)
    host, port = target.hostname, target.port
    problems = []
    # Over the per-address cap: the extra connections are closed at once.
    crowd = [open_from("127.0.0.2", host, port) for _ in range(per_address + 10)]
    time.sleep(min(0.8, idle / 2))
    early = sum(1 for sock in crowd if closed_by_server(sock))
    if early < 10:
        problems.append(f"only {early} of the {per_address + 10} connections from one address were closed at once (expected at least 10)")
    status, took, error = healthz(host, port)
    if status != 200 or took > 2:
        problems.append(f"/healthz from another address answered {status} in {took:.2f} s while one address held its cap {error}")
    # A request sent halfway (headers not finished) and one whose body never comes.
    half = open_from("127.0.0.3", host, port)
    time.sleep(0.2)
    half.send(b"GET / HTTP/1.1\r\nHost: x\r\n")
    body = open_from("127.0.0.3", host, port)
    time.sleep(0.2)
    body.send(b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
    time.sleep(idle * 2 + 1.5)
    left = sum(1 for sock in crowd if not closed_by_server(sock))
    if left:
        problems.append(f"{left} idle connections were still open after {idle * 2 + 1.5:.1f} s (idle timeout {idle} s)")
    if not closed_by_server(half):
        problems.append("a connection with half its headers was still open after the idle timeout")
    if not closed_by_server(body):
        problems.append("a request whose body never came was still open after the timeouts")
    status, took, error = healthz(host, port)
    if status != 200:
        problems.append(f"/healthz answered {status} at the end {error}")
    for sock in crowd + [half, body]:
        sock.close()
    if problems:
        print("FAILED\n" + "\n".join(problems))
        return 1
    print(f"ok: {early} connections over the cap closed at once, idle and half-sent ones closed after {idle} s, /healthz answered throughout")
    return 0


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "hold":
        args = dict(zip(sys.argv[3::2], sys.argv[4::2]))
        return hold(sys.argv[2], int(args.get("--count", 20000)), int(args.get("--addresses", 10)), min(int(args.get("--seconds", 30)), 300))
    if len(sys.argv) == 5 and sys.argv[1] == "check":
        return check(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
