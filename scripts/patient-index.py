#!/usr/bin/env python3
"""Writes a synthetic hospital patient index as CSV, for `creneau import patients`.

  scripts/patient-index.py ROWS [DEPARTMENT_REFERENCE ...] > index.csv

Deterministic (the same ROWS give the same file): IPP, INS, names, birth dates, an email on
most rows and a phone on others, and every third patient followed by one of the departments
given (ids or site-slug/specialty, e.g. avoine/cardiologie). Names are from a small French list,
so many share a name: only the IPP tells them apart, as in a real index.
"""
import random
import sys

FIRST = ["Léa", "Hugo", "Chloé", "Lucas", "Emma", "Louis", "Manon", "Gabriel", "Camille", "Jules", "Inès", "Arthur", "Amina", "Karim"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Benali", "Nguyen", "Le Gall"]


def main():
    rows = int(sys.argv[1])
    departments = sys.argv[2:]
    rng = random.Random(rows)
    out = sys.stdout
    out.write("ipp;ins;last_name;first_name;birth_date;email;phone;departments\n")
    for n in range(rows):
        year, month, day = rng.randint(1920, 2024), rng.randint(1, 12), rng.randint(1, 28)
        sex = rng.choice("12")
        ins = f"{sex}{year % 100:02d}{month:02d}{rng.randint(1, 95):02d}{rng.randint(1, 999):03d}{rng.randint(1, 999):03d}{rng.randint(1, 97):02d}"
        email = f"patient{n}@example.org" if n % 4 else ""
        phone = "" if n % 4 else f"06 {n // 1000000 % 100:02d} {n // 10000 % 100:02d} {n // 100 % 100:02d} {n % 100:02d}"
        known = departments[n % len(departments)] if departments and n % 3 == 0 else ""
        out.write(f"H{n:09d};{ins};{rng.choice(LAST)};{rng.choice(FIRST)};{year:04d}-{month:02d}-{day:02d};{email};{phone};{known}\n")


if __name__ == "__main__":
    main()
