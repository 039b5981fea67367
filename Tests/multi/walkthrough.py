#!/usr/bin/env python3
"""RUNBOOK.md followed from nothing, on one machine: install the binary and a key ring, make the
PostgreSQL role and database (password over TCP, as production), the first administrator, two
`creneau serve` instances in production mode, and nginx with the repository's sample site
(deploy/nginx/creneau.conf, only its names, addresses, certificate and ports changed) — then
check what the runbook says to check: `/healthz` through the proxy answers `ok`, HTTP redirects to
HTTPS, `/metrics` is closed at the proxy and open with its token on an instance, the
administrator's link opens, and the site still answers with one instance stopped.

Arguments: CRENEAU_EXECUTABLE POSTGRES_BIN FOLDER. As root, PostgreSQL runs as `postgres` and nginx
as `nobody`. Prints each step, then "ok …"; stops everything it started whatever happens.
"""
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from servers import Instance, as_user, check, free_port, request, run_checks, start_nginx  # noqa: E402

EXECUTABLE, BIN, FOLDER = sys.argv[1:4]
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
PREFIX = os.path.join(FOLDER, "root")
clusters = []


def step(text):
    print(f"== {text}", flush=True)


def run(arguments, user=None, **options):
    if user:
        arguments = as_user(user, arguments)
    done = subprocess.run(arguments, capture_output=True, text=True, timeout=300, **options)
    check(done.returncode == 0, f"{' '.join(arguments[-6:])}: {done.stdout[-500:]} {done.stderr[-500:]}")
    return done.stdout


def install():
    step("Install: the binary and the key ring (0600)")
    os.makedirs(f"{PREFIX}/usr/local/bin")
    shutil.copy(EXECUTABLE, f"{PREFIX}/usr/local/bin/creneau")
    os.chmod(f"{PREFIX}/usr/local/bin/creneau", 0o755)
    os.makedirs(f"{PREFIX}/etc/creneau", mode=0o700)
    with open(f"{PREFIX}/etc/creneau/keys", "w") as f:
        f.write(run([f"{PREFIX}/usr/local/bin/creneau", "keygen", "--id", "k2026"]))
    os.chmod(f"{PREFIX}/etc/creneau/keys", 0o600)
    check(stat.S_IMODE(os.stat(f"{PREFIX}/etc/creneau/keys").st_mode) == 0o600, "the key file is not 0600")


def postgres():
    step("PostgreSQL: a cluster, the creneau role with a password, its database")
    data = os.path.join(FOLDER, "pg")
    os.makedirs(data)
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(data, owner.pw_uid, owner.pw_gid)
    port = free_port()
    run([f"{BIN}/initdb", "-D", f"{data}/main", "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
         "-E", "UTF8", "--locale=C.UTF-8"], user="postgres")
    with open(f"{data}/main/postgresql.auto.conf", "a") as f:
        f.write(f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{data}'\n")
    run([f"{BIN}/pg_ctl", "-D", f"{data}/main", "-l", f"{data}/server.log", "-w", "start"], user="postgres")
    clusters.append(f"{data}/main")
    run([f"{BIN}/psql", "-h", data, "-p", str(port), "-U", "postgres", "-c", "CREATE ROLE creneau LOGIN PASSWORD 'walk-through-secret'"],
        user="postgres")
    run([f"{BIN}/createdb", "-h", data, "-p", str(port), "-U", "postgres", "-O", "creneau", "creneau"], user="postgres")
    return f"postgres://creneau:walk-through-secret@127.0.0.1:{port}/creneau?sslmode=disable"


def nginx_site(ports, https, http):
    """The sample site, changed only where RUNBOOK says to: names, certificate, instances, ports."""
    directory = os.path.join(FOLDER, "nginx")
    os.makedirs(directory)
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{directory}/key.pem", "-out", f"{directory}/cert.pem",
         "-days", "1", "-subj", "/CN=localhost"])
    shutil.copy(os.path.join(ROOT, "deploy", "nginx", "creneau-proxy.conf"), f"{directory}/creneau-proxy.conf")
    with open(os.path.join(ROOT, "deploy", "nginx", "creneau.conf")) as f:
        site = f.read()
    site = site.replace("server 10.0.0.11:8080", f"server 127.0.0.1:{ports[0]}").replace("server 10.0.0.12:8080", f"server 127.0.0.1:{ports[1]}")
    site = site.replace("rdv.hopital.example", "localhost")
    site = site.replace("/etc/ssl/certs/localhost.pem", f"{directory}/cert.pem").replace("/etc/ssl/private/localhost.key", f"{directory}/key.pem")
    site = site.replace("/etc/nginx/creneau-proxy.conf", f"{directory}/creneau-proxy.conf")
    site = re.sub(r"\n\s*listen \[::\]:\d+[^\n]*", "", site)  # no IPv6 on every test machine
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http};").replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    settings = "\n".join(line for line in site.splitlines() if not line.strip().startswith("#"))
    check("10.0.0." not in settings and "hopital.example" not in settings, f"the sample site kept an address to change: {settings}")
    with open(f"{directory}/creneau.conf", "w") as f:
        f.write(site)
    start_nginx(directory, f"    include {directory}/creneau.conf;", https)


def main():
    install()
    url = postgres()
    creneau = f"{PREFIX}/usr/local/bin/creneau"
    https, http = free_port(), free_port()
    environment = {
        "CRENEAU_ENV": "production",
        "DATABASE_URL": url,
        "CRENEAU_ENCRYPTION_KEY_FILE": f"{PREFIX}/etc/creneau/keys",
        "CRENEAU_PUBLIC_URL": f"https://localhost:{https}",
        # Nothing listens there: messages wait in the outbox, which is what a relay outage looks like.
        "CRENEAU_SMTP_URL": f"smtp://127.0.0.1:{free_port()}",
        "CRENEAU_SMS_URL": f"https://127.0.0.1:{free_port()}/v1/messages",
        "CRENEAU_TRUSTED_PROXIES": "127.0.0.1",
        "CRENEAU_METRICS_TOKEN": "walk-through-metrics-token-0123",
        "CRENEAU_HOST": "127.0.0.1",
    }
    step("The first administrator (creneau admin create)")
    printed = run([creneau, "admin", "create", "--email", "direction@hopital.example", "--name", "Marc Direction",
                   "--group-name", "Hôpital de la Marche"], env={**os.environ, **environment}, cwd=FOLDER)
    link = re.search(r"https://localhost:\d+(/\S+)", printed)
    check(link is not None, f"no link printed: {printed[-400:]}")
    # The relay is not reachable: the command says so, and the printed link is the one to give.
    check("could not be sent" in printed, f"the unsent email is not mentioned: {printed[-400:]}")

    step("Two instances: start one (it migrates), then the other")
    one = Instance("one", creneau, FOLDER, environment)
    two = Instance("two", creneau, FOLDER, environment)
    one.start()
    one.wait_healthy()
    two.start()
    two.wait_healthy()

    step("nginx with deploy/nginx/creneau.conf and creneau-proxy.conf")
    nginx_site([one.port, two.port], https, http)

    step("Check")
    status, _, body = request("GET", "/healthz", port=https, tls=True)
    check(status == 200 and json.loads(body).get("status") == "ok", f"/healthz through nginx: {status} {body[:100]}")
    status, headers, _ = request("GET", "/search?q=x", port=http)
    location = headers.get("location", "")
    check(status == 301 and location.startswith("https://") and location.endswith("/search?q=x"), f"HTTP: {status} {location}")
    status, headers, _ = request("GET", "/", port=https, tls=True)
    check(status == 200 and "strict-transport-security" in headers, f"the home page through nginx: {status}")
    check(request("GET", "/metrics", port=https, tls=True)[0] == 404, "/metrics is open at the proxy")
    status, _, body = request("GET", "/metrics", headers={"Creneau-Metrics-Token": "walk-through-metrics-token-0123"}, port=one.port)
    check(status == 200 and b"creneau_" in body, f"/metrics with its token on an instance: {status}")
    check(request("GET", "/metrics", port=one.port)[0] in (401, 403), "/metrics without its token")
    status, _, body = request("GET", link.group(1), port=https, tls=True)
    check(status == 200, f"the administrator's link through nginx: {status}")

    step("One instance stopped: the site still answers")
    one.process.terminate()
    one.process.wait(timeout=30)
    answers = [request("GET", "/healthz", port=https, tls=True)[0] for _ in range(6)]
    check(answers == [200] * 6, f"with one instance stopped: {answers}")
    print("ok the runbook from nothing: key ring 0600, PostgreSQL role with a password, the first administrator's link, two instances in "
          "production mode behind the sample nginx site (TLS, redirect, /metrics closed), one instance stopped and the site still up")


def stop_cluster():
    for directory in clusters:
        subprocess.run(as_user("postgres", [f"{BIN}/pg_ctl", "-D", directory, "-m", "immediate", "stop"]), capture_output=True)


if __name__ == "__main__":
    run_checks(main, stop_cluster)
