#!/usr/bin/env python3
"""A primary and a standby, streaming with synchronous commit, two `creneau serve` instances
given both in one URL (`postgres://…@primary,standby/creneau?target_session_attrs=read-write`):
during a booking storm the primary is killed with SIGKILL (postmaster and every backend, as a
machine that loses power), the standby is promoted (`pg_ctl promote`, what an operator or a
monitor such as pg_auto_failover does), and then:

1. the instances carry on by themselves: never restarted, healthy again, every booking answered
   in the end (clients retry with their Idempotency-Key);
2. no booking that answered 201 is missing from the new primary — above all those answered
   before the kill — each readable with its manage token, each replay the first answer;
3. the database holds exactly the bookings answered, and no two visits overlap.

Arguments: CRENEAU_EXECUTABLE POSTGRES_BIN FOLDER. Makes both clusters in FOLDER (owned by the
`postgres` user when run as root: PostgreSQL refuses root), seeds the demo, prints "ok …" with
the timings when every check passed, stops everything it started whatever happens. Bounded:
about two minutes.
"""
import os
import pwd
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from servers import (OVERLAPS, Instance, as_user, check, check_answers, find_referrer, free_port, free_slots,  # noqa: E402
                     request, run_checks, storm)

EXECUTABLE, BIN, FOLDER = sys.argv[1:4]
CLUSTERS = os.path.join(FOLDER, "pg")
PRIMARY, STANDBY = os.path.join(CLUSTERS, "primary"), os.path.join(CLUSTERS, "standby")
PRIMARY_PORT, STANDBY_PORT = free_port(), free_port()
URL = (f"postgres://creneau@127.0.0.1:{PRIMARY_PORT},127.0.0.1:{STANDBY_PORT}/creneau"
       "?sslmode=disable&target_session_attrs=read-write")
clusters = []


def as_postgres(arguments, **options):
    """Runs a PostgreSQL program as the clusters' owner (`postgres` when we are root)."""
    return subprocess.run(as_user("postgres", arguments), capture_output=True, text=True, timeout=180, **options)


def must(run, what):
    check(run.returncode == 0, f"{what}: {run.stdout[-600:]} {run.stderr[-600:]}")
    return run.stdout


def psql(port, sql):
    return must(subprocess.run([f"{BIN}/psql", "-h", "127.0.0.1", "-p", str(port), "-U", "creneau", "-d", "creneau", "-At", "-c", sql],
                               capture_output=True, text=True, timeout=60), f"psql on {port}").strip()


def settings(directory, lines):
    with open(os.path.join(directory, "postgresql.auto.conf"), "a") as f:
        f.write("\n".join(lines) + "\n")


def start_cluster(directory):
    must(as_postgres([f"{BIN}/pg_ctl", "-D", directory, "-l", f"{directory}.log", "-w", "-t", "120", "start"]), f"starting {directory}")
    clusters.append(directory)


def make_clusters():
    os.makedirs(CLUSTERS)
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(CLUSTERS, owner.pw_uid, owner.pw_gid)
    must(as_postgres([f"{BIN}/initdb", "-D", PRIMARY, "-U", "creneau", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]), "initdb")
    settings(PRIMARY, ["listen_addresses = '127.0.0.1'", f"port = {PRIMARY_PORT}", f"unix_socket_directories = '{CLUSTERS}'",
                       "max_connections = 200", "wal_level = replica", "synchronous_commit = on"])
    start_cluster(PRIMARY)
    must(as_postgres([f"{BIN}/createdb", "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "creneau", "creneau"]), "createdb")
    must(as_postgres([f"{BIN}/pg_basebackup", "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "creneau", "-D", STANDBY,
                      "-R", "-X", "stream", "-c", "fast"]), "pg_basebackup")
    # The standby names itself to the primary; promoted, it has no standby of its own to wait for.
    settings(STANDBY, [f"port = {STANDBY_PORT}",
                       f"primary_conninfo = 'host=127.0.0.1 port={PRIMARY_PORT} user=creneau application_name=standby'",
                       "synchronous_standby_names = ''"])
    start_cluster(STANDBY)
    # Synchronous commit, once the standby is there to answer (before, every commit would wait for
    # it): a commit returns, and a booking answers 201, once the standby has the record on disk,
    # so a primary lost at any moment loses no booking it confirmed.
    psql(PRIMARY_PORT, "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (standby)'")
    psql(PRIMARY_PORT, "SELECT pg_reload_conf()")
    deadline = time.time() + 60
    while time.time() < deadline and psql(PRIMARY_PORT, "SELECT string_agg(sync_state, ',') FROM pg_stat_replication") != "sync":
        time.sleep(0.2)
    check(psql(PRIMARY_PORT, "SELECT string_agg(sync_state, ',') FROM pg_stat_replication") == "sync", "the standby is not synchronous")


def kill_primary():
    """SIGKILL to the postmaster and every backend at once: nothing gets to say goodbye."""
    with open(os.path.join(PRIMARY, "postmaster.pid")) as f:
        postmaster = int(f.readline())
    victims = [postmaster]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == postmaster:
                        victims.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    clusters.remove(PRIMARY)
    return len(victims)


def main():
    make_clusters()
    keys = must(subprocess.run([EXECUTABLE, "keygen"], capture_output=True, text=True, timeout=60), "keygen")
    with open(os.path.join(FOLDER, "creneau.keys"), "w") as f:
        f.write(keys)
    environment = {"DATABASE_URL": URL, "CRENEAU_ENCRYPTION_KEY_FILE": os.path.join(FOLDER, "creneau.keys"),
                   "CRENEAU_RATE_LIMITS": "off", "CRENEAU_LOG_LEVEL": "notice", "CRENEAU_DB_CONNECT_TIMEOUT": "2"}
    must(subprocess.run([EXECUTABLE, "seed", "--profile", "avoine"], cwd=FOLDER, env={**os.environ, **environment},
                        capture_output=True, text=True, timeout=600), "seeding through the two-server URL")
    one, two = Instance("one", EXECUTABLE, FOLDER, environment), Instance("two", EXECUTABLE, FOLDER, environment)
    for instance in (one, two):
        instance.start()
    for instance in (one, two):
        instance.wait_healthy()
    pids = (one.process.pid, two.process.pid)

    referrer = find_referrer(one.port)
    slots = free_slots(one.port, 100)
    before = int(psql(PRIMARY_PORT, "SELECT count(*) FROM appointments"))
    timings = {}

    def post(body, headers, attempt):
        # Clients spread over both instances, each try on the next one.
        instance = (one, two)[(attempt + int(body["patient"]["lastName"].rsplit(" ", 1)[1])) % 2]
        return request("POST", "/api/v1/appointments", body, headers, port=instance.port, timeout=30)

    def fail_over():
        timings["killed"] = kill_primary()
        start = time.time()
        time.sleep(1)  # what a monitor waits before it decides the primary is gone
        must(as_postgres([f"{BIN}/pg_ctl", "-D", STANDBY, "-w", "-t", "60", "promote"]), "promote")
        timings["promoted"] = time.time() - start

    answers, retried, answered_before = storm(slots, referrer, post, fail_over, disrupt_after=20)

    # The instances found the new primary by themselves.
    check((one.process.poll(), two.process.poll()) == (None, None) and (one.process.pid, two.process.pid) == pids,
          "an instance stopped during the failover")
    for instance in (one, two):
        instance.wait_healthy(30)
    check(psql(STANDBY_PORT, "SELECT pg_is_in_recovery()") == "f", "the standby was not promoted")

    confirmed_before = [answer for answer in answers.values() if answer[6] is None]
    check(len(confirmed_before) >= answered_before, f"only {len(confirmed_before)} answered before the kill")
    check_answers(answers, one.port)
    check_answers(answers, two.port)
    ids = ",".join(f"'{answer[1]['id']}'" for answer in answers.values())
    present = int(psql(STANDBY_PORT, f"SELECT count(*) FROM appointments WHERE id IN ({ids})"))
    check(present == len(answers), f"{len(answers) - present} confirmed bookings missing from the new primary")
    written = int(psql(STANDBY_PORT, "SELECT count(*) FROM appointments")) - before
    check(written == len(answers), f"{written} appointments written for {len(answers)} answered")
    check(int(psql(STANDBY_PORT, OVERLAPS)) == 0, "overlapping visits")

    after = [answer[6] for answer in answers.values() if answer[6] is not None]
    last = f"{max(after):.1f} s" if after else "none"
    print(f"ok {len(answers)} bookings, {len(confirmed_before)} confirmed before the primary ({timings['killed']} processes) was killed, "
          f"all on the promoted standby; promoted {timings['promoted']:.1f} s after the kill, the last booking answered {last} after it, "
          f"{retried} retries, both instances carried on without a restart")


def stop_clusters():
    for directory in clusters:
        as_postgres([f"{BIN}/pg_ctl", "-D", directory, "-m", "immediate", "stop"])


if __name__ == "__main__":
    run_checks(main, stop_clusters)
