#!/usr/bin/env python3
"""Writes a synthetic practitioners file for `creneau import practitioners` (or /admin/import).

  scripts/practitioners-csv.py ROWS SITE_SLUG DEPARTMENT_CODE [DEPARTMENT_CODE ...] > practitioners.csv

Deterministic: each practitioner has an RPPS number, a department of the site (round robin),
French names, and every tenth one an email (a staff account and its enrolment link).
"""
import random
import sys

FIRST = ["Léa", "Hugo", "Chloé", "Lucas", "Emma", "Louis", "Manon", "Gabriel", "Camille", "Jules", "Inès", "Arthur", "Amina", "Karim"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Benali", "Nguyen", "Le Gall"]


def main():
    rows, site, departments = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    rng = random.Random(rows)
    out = sys.stdout
    out.write("site;department;title;first_name;last_name;profession;specialty;rpps;languages;email\n")
    for n in range(rows):
        department = departments[n % len(departments)]
        email = f"praticien{n}@hopital.example" if n % 10 == 0 else ""
        out.write(f"{site};{department};Dr;{rng.choice(FIRST)};{rng.choice(LAST)}-{n};Médecin;;{10_000_000_000 + n:011d};fr;{email}\n")


if __name__ == "__main__":
    main()
