#!/usr/bin/env python3
"""Validates FHIR R4 JSON resources with two validators nobody on the project wrote:

- fhirkit (fhirkit-rs, PyPI): R4 core structure — every element, type and cardinality
  of the 4.0.1 specification;
- pyfhircheck (PyPI): the profiles named in meta.profile, from the ANS GAP 3.0.0 package
  (snapshots, fixed values, slicing, required bindings it can resolve), and R4 core rules.

Usage: fhir-validate.py [--allow-extension URL]... GAP_PACKAGE.tgz FILE_OR_DIR...
FILE: a .json resource, or .ndjson (one resource a line, as $bulk-publish writes them).
--allow-extension: an extension defined outside the loaded packages (SMART Scheduling
Links' booking-deep-link, slot-capacity) is accepted instead of "could not be found".
Prints one line per error or warning ("ERROR file: path: message"), then a summary
line "N passed, M failed" (a resource passes with no error). Exit 1 when any error.
The validators come from scripts/fetch-fhir-validator.sh (PYTHONPATH).
"""
import json
import logging
import pathlib
import sys
import tempfile


def files(arguments):
    for argument in arguments:
        path = pathlib.Path(argument)
        if path.is_dir():
            yield from sorted(list(path.glob("*.json")) + list(path.glob("*.ndjson")))
        else:
            yield path


def resources(path):
    """(name, resource) for each resource of a .json or .ndjson file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ndjson":
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield f"{path.name}:{number}", json.loads(line)
    else:
        yield path.name, json.loads(text)


def main():
    arguments = sys.argv[1:]
    allowed = []
    while len(arguments) >= 2 and arguments[0] == "--allow-extension":
        allowed.append(arguments[1])
        arguments = arguments[2:]
    if len(arguments) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    logging.disable(logging.CRITICAL)
    import fhirkit
    from pyfhircheck.config import ValidatorConfig
    from pyfhircheck.core.engine import Validator

    work = tempfile.mkdtemp(prefix="creneau-fhir-")
    config = ValidatorConfig.load_dict({
        "fhirVersion": "4.0.1",
        "localPackagePaths": [arguments[0]],
        "packageCacheDir": work + "/packages",
        "terminology": {"mode": "local", "cacheDir": work + "/terminology"},
        "evidenceOutputDir": work + "/evidence",
    })
    validator = Validator(config)
    passed = failed = 0
    for path, resource in ((p, r) for f in files(arguments[1:]) for p, r in resources(f)):
        errors = []
        for issue in fhirkit.validate(resource):
            line = f"{path}: {issue.path}: {issue.message} [R4 core, fhirkit]"
            if issue.severity == "error":
                errors.append(line)
            else:
                print("WARNING " + line)
        report = validator.validate_resource(resource, input_source=str(path))
        for issue in report.issues:
            line = f"{path}: {issue.path}: {issue.message} [{issue.code}, pyfhircheck]"
            severity = getattr(issue.severity, "value", str(issue.severity)).lower()
            if issue.code == "extension.unknown" and any(url in issue.message for url in allowed):
                continue
            if severity in ("error", "fatal"):
                errors.append(line)
            elif severity == "warning":
                print("WARNING " + line)
        for line in errors:
            print("ERROR " + line)
        if errors:
            failed += 1
        else:
            passed += 1
    print(f"FHIR validation: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
