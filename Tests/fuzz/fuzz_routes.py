"""Fuzzes every route of a running Creneau with the input an attacker or a broken client sends.

Usage: fuzz_routes.py BASE_URL ROUTES_JSON [REQUESTS] [SEED]

ROUTES_JSON lists the router's routes ({"method", "path"}), written by the Swift test from
the router itself, so a new route is fuzzed without anyone remembering to add it. For each
request the fuzzer picks a route, a caller (a visitor; a secretary by bearer token; a
secretary's and an administrator's browser sessions with their CSRF tokens) and breaks
something: path parameters, query parameters, the body and its content type. Far and
malformed dates, huge numbers, huge strings, control characters, wrong JSON types,
missing fields, every content type.

It fails on any 5xx, any answer slower than SLOW (10) seconds, or a connection refused (the
server gone). Bounded: REQUESTS requests (default 3000), one at a time, then it stops.
Prints "ok N requests …" when everything held, else the failures and exits 1.
Standard library only (http.client), so it runs wherever python3 does.
"""
import base64
import hashlib
import hmac
import http.client
import json
import random
import re
import struct
import sys
import time
import urllib.parse

# A few seconds: in CI the fuzzer shares two cores with the other suites and their browsers,
# and a sign-in's bcrypt alone is a quarter of a second of CPU.
SLOW = 10.0
PASSWORD = "avoine-demo-2026"
SECRETARY = ("sandrine.leroy@avoine.demo", "IFLE6SKOIVJUCTSEKJEU4RKMIVJE6WKBKZHUSTSFIRCU2T2BIFAQ")
SECRETARY_TWO = ("nadia.benoit@avoine.demo", "IFLE6SKOIVHECRCJIFBEKTSPJFKECVSPJFHEKRCFJVHUCQKBIFAQ")
ADMIN = ("admin@avoine.demo", "IFLE6SKOIVAUITKJJZAVMT2JJZCUIRKNJ5AUCQKBIFAUCQKBIFAQ")
DOCTOR = ("jean.dupont@avoine.demo", "IFLE6SKOIVFEKQKOIRKVAT2OKRAVMT2JJZCUIRKNJ5AUCQKBIFAQ")

FIELDS = [
    "practitioner", "motive", "start", "end", "from", "to", "day", "week", "days", "limit", "department", "site",
    "specialty", "q", "channel", "patient", "patientId", "hold", "holdToken", "token", "key", "firstName", "lastName",
    "birthDate", "email", "phone", "reason", "notes", "referringDoctor", "password", "current", "code", "challenge",
    "session", "language", "relationship", "action", "rows", "r0-weekday", "r0-start", "r0-end", "r0-ch-online",
    "r0-rel-days", "r0-rel-at", "r0-rel-phone", "r0-id", "r0-m-x", "until", "name", "duration", "horizon", "notice",
    "cutoff", "before", "after", "patients", "channel-online", "patientQuery", "doctorQuery", "back", "lang",
    "breakGlass", "kind", "appointment", "seconds", "motives", "_csrf",
]

WILD = [
    "", " ", "0", "-1", "1e309", "NaN", "null", "true", "[]", "{}", "9999-12-31", "0001-01-01", "10000-01-01",
    "2026-02-30", "1899-12-31", "2200-12-31", "2201-01-01", "9999-12-31T23:30:00Z", "0000-01-01T00:00:00Z",
    "2026-11-23T09:00:00", "2026-11-23T25:61:61+99:99", "9223372036854775807", "-9223372036854775808",
    "99999999999999999999999999", "18446744073709551616", "2147483648", "4294967296", "00000000-0000-0000-0000-000000000000",
    "not-a-uuid", "../../etc/passwd", "%00", "\u0000", "line\r\nInjected: yes", "\t", "é" * 300, "🩺" * 100,
    "<script>alert(1)</script>", "' OR 1=1 --", "a" * 5000, "x" * 70000, "online", "phone", "referral", "fr", "en",
    "save", "preview", "search_patient", "search_doctor", "24:00", "23:59", "08:30", "-08:30", "99:99", "1970-01-01T00:00:00+14:00",
]


# Routes that end the caller's session: fuzzed as a visitor only, or every later request
# of that caller would stop at the sign-in check.
ENDS_SESSIONS = {("POST", "/signout"), ("DELETE", "/api/v1/sessions"), ("DELETE", "/api/v1/sessions/current"), ("POST", "/api/v1/me/password")}


def totp(secret, at=None):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


class Server:
    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port

    def send(self, method, path, headers=None, body=None):
        """(status, headers, text, seconds); status 0 when the connection failed."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=SLOW * 3)
        started = time.monotonic()
        try:
            connection.putrequest(method, path, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            data = body if isinstance(body, bytes) else (body or "").encode("utf-8", "surrogatepass")
            if body is not None:
                connection.putheader("Content-Length", str(len(data)))
            connection.endheaders()
            if body is not None:
                connection.send(data)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            return response.status, dict(response.getheaders()), text, time.monotonic() - started
        except (ConnectionError, OSError, http.client.HTTPException) as error:
            return 0, {}, repr(error), time.monotonic() - started
        finally:
            connection.close()


def json_body(fields):
    return json.dumps(fields)


def sign_in(server, who, browser):
    email, secret = who
    body = {"email": email, "password": PASSWORD, "code": totp(secret)}
    if browser:
        body["session"] = "browser"
    status, headers, text, _ = server.send("POST", "/api/v1/sessions", {"Content-Type": "application/json"}, json_body(body))
    if status not in (200, 201):
        raise SystemExit(f"could not sign in {email}: {status} {text[:200]}")
    answer = json.loads(text)
    if browser:
        cookie = headers.get("Set-Cookie", "").split(";")[0]
        return {"Cookie": cookie, "_csrf": answer.get("csrfToken", "")}
    return {"Authorization": "Bearer " + answer["token"]}


def known_ids(server):
    """Real ids, so that a share of the requests gets past the first check."""
    ids = {"practitioner": [], "motive": [], "department": [], "appointment": [], "hold": [], "token": []}
    _, _, text, _ = server.send("GET", "/api/v1/practitioners?q=a")
    try:
        practitioners = json.loads(text).get("practitioners", json.loads(text)) if text.startswith("{") else json.loads(text)
    except ValueError:
        practitioners = []
    for practitioner in (practitioners if isinstance(practitioners, list) else [])[:5]:
        ids["practitioner"].append(practitioner.get("id"))
        _, _, motives, _ = server.send("GET", f"/api/v1/practitioners/{practitioner.get('id')}/motives")
        ids["motive"] += re.findall(r'"id":"([0-9a-f-]{36})"', motives)[:3]
    _, _, home, _ = server.send("GET", "/", {"Accept": "text/html"})
    ids["department"] += re.findall(r"department=([0-9a-f-]{36})", home)[:3]
    return ids


def main():
    base, routes_file = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 2026)
    server = Server(base)
    routes = json.load(open(routes_file))
    callers = {
        "visitor": {},
        "secretary-api": sign_in(server, SECRETARY, browser=False),
        # Each authenticator code works once: one account per session.
        "secretary-browser": sign_in(server, SECRETARY_TWO, browser=True),
        "admin-browser": sign_in(server, ADMIN, browser=True),
        "doctor-api": sign_in(server, DOCTOR, browser=False),
    }
    ids = known_ids(server)
    # A visitor's form token (double submit): the cookie and the field, from any page with a form.
    _, headers, page, _ = server.send("GET", "/account/forgot", {"Accept": "text/html"})
    form_cookie = headers.get("Set-Cookie", "").split(";")[0]
    form_token = (re.findall(r'name="_csrf" value="([^"]+)"', page) or [""])[0]
    callers["visitor-form"] = {"Cookie": form_cookie, "_csrf": form_token}

    def value():
        roll = rng.random()
        if roll < 0.25 and any(ids.values()):
            pool = [v for values in ids.values() for v in values if v]
            return rng.choice(pool) if pool else "x"
        if roll < 0.35:
            return str(rng.randint(-2**70, 2**70))
        return rng.choice(WILD)

    failures, statuses, slowest = [], {}, 0.0
    for index in range(count):
        route = routes[index % len(routes)] if index < len(routes) * 3 else rng.choice(routes)
        method, template = route["method"], route["path"]
        caller_name = rng.choice(list(callers))
        if (method, template) in ENDS_SESSIONS:
            caller_name = "visitor"  # signed-in callers keep their sessions for the rest of the run
        caller = dict(callers[caller_name])
        csrf = caller.pop("_csrf", None)
        path = re.sub(r"\{[^}]+\}", lambda _: urllib.parse.quote(value()[:6000], safe=""), template)
        # Query strings stay under the header limits (80 KiB): a longer line is the HTTP decoder's to refuse.
        query = {rng.choice(FIELDS): value()[:6000] for _ in range(rng.randint(0, 5))}
        if query:
            path += "?" + urllib.parse.urlencode(query)
        headers = dict(caller)
        headers["Accept"] = rng.choice(["text/html", "application/json", "*/*"])
        headers["Accept-Language"] = rng.choice(["fr", "en", "de;q=abc", "x" * 300])
        body = None
        if method in ("POST", "PUT", "PATCH", "DELETE") or rng.random() < 0.05:
            fields = {rng.choice(FIELDS): value() for _ in range(rng.randint(0, 8))}
            if csrf and rng.random() < 0.85:
                fields["_csrf"] = csrf
            kind = rng.choice(["form", "form", "json", "json", "wrong-json", "plain", "multipart", "none", "huge", "broken"])
            if kind == "form":
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                body = urllib.parse.urlencode(fields)
            elif kind == "json":
                headers["Content-Type"] = "application/json"
                if csrf:
                    headers["X-CSRF-Token"] = csrf
                body = json_body(fields)
            elif kind == "wrong-json":
                headers["Content-Type"] = "application/json"
                body = json.dumps({key: rng.choice([12, -1, 1e308, None, [], {"a": 1}, True, "x"]) for key in fields})
            elif kind == "plain":
                headers["Content-Type"] = "text/plain"
                body = urllib.parse.urlencode(fields)
            elif kind == "multipart":
                headers["Content-Type"] = "multipart/form-data; boundary=zz"
                body = "--zz\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nx\r\n--zz--\r\n"
            elif kind == "huge":
                headers["Content-Type"] = rng.choice(["application/x-www-form-urlencoded", "application/json"])
                body = "a=" + "b" * rng.choice([70_000, 200_000, 2_000_000])
            elif kind == "broken":
                headers["Content-Type"] = "application/json"
                body = rng.choice(["{", "\xff\xfe", "{\"a\":" * 2000, "[" * 5000, "\u0000" * 10]).encode("utf-8", "surrogatepass")
        status, _, text, seconds = server.send(method, path, headers, body)
        statuses[status] = statuses.get(status, 0) + 1
        slowest = max(slowest, seconds)
        if status == 0 or status >= 500 or seconds > SLOW:
            failures.append(f"{method} {path[:160]} as {caller_name} ({headers.get('Content-Type', '-')}): {status} in {seconds:.2f} s: {text[:160]!r}")
            if status == 0:
                # The server may be gone: one more look decides.
                if server.send("GET", "/healthz")[0] != 200:
                    failures.append("the server no longer answers /healthz")
                    break
        if len(failures) > 30:
            break

    health = server.send("GET", "/healthz")[0]
    if health != 200:
        failures.append(f"/healthz answers {health} after the fuzzing")
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
    if failures:
        print("FAILED\n" + "\n".join(failures) + f"\nstatuses: {summary}")
        sys.exit(1)
    print(f"ok {sum(statuses.values())} requests over {len(routes)} routes, slowest {slowest:.2f} s, statuses {summary}")


if __name__ == "__main__":
    main()
