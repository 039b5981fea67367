#!/usr/bin/env python3
"""Reads an iCalendar feed on stdin as a strict client would, and prints its events as JSON.

Checks what RFC 5545 requires of the text itself (CRLF line ends, lines of at most 75 octets,
a space or tab to continue a folded line) and that every TZID an event uses is defined by a
VTIMEZONE in the file; then reads the calendar with Python's icalendar and turns each event's
start into UTC with the file's own VTIMEZONE (not the system's zone database). Exits 1 with
the problem on stderr otherwise.
"""
import json
import sys
from datetime import timezone

from icalendar import Calendar

raw = sys.stdin.buffer.read()
if not raw.endswith(b"\r\n"):
    sys.exit("the file does not end with CRLF")
lines = raw.split(b"\r\n")[:-1]
for number, line in enumerate(lines, 1):
    if b"\n" in line or b"\r" in line:
        sys.exit(f"line {number}: a bare CR or LF")
    if len(line) > 75:
        sys.exit(f"line {number}: {len(line)} octets (more than 75)")
    line.decode("utf-8")  # a fold never cuts a character

calendar = Calendar.from_ical(raw)
zones = {str(c["TZID"]): c for c in calendar.walk("VTIMEZONE")}
events = []
for event in calendar.walk("VEVENT"):
    start = event["DTSTART"]
    tzid = start.params.get("TZID")
    moment = start.dt
    if tzid is not None:
        if tzid not in zones:
            sys.exit(f"TZID {tzid} has no VTIMEZONE")
        moment = moment.replace(tzinfo=None)
        moment = zones[tzid].to_tz().localize(moment) if hasattr(zones[tzid].to_tz(), "localize") else moment.replace(tzinfo=zones[tzid].to_tz())
    events.append({
        "uid": str(event["UID"]), "summary": str(event["SUMMARY"]), "status": str(event["STATUS"]), "sequence": int(event["SEQUENCE"]),
        "start": moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "dtstamp": str(event["DTSTAMP"].to_ical().decode()),
    })
print(json.dumps({"zones": sorted(zones), "events": events}, ensure_ascii=False))
