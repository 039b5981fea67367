#!/usr/bin/env python3
"""Validates FHIR R4 JSON resources with two validators nobody on the project wrote:

- fhirkit (fhirkit-rs, PyPI): R4 core structure — every element, type and cardinality
  of the 4.0.1 specification;
- pyfhircheck (PyPI): the profiles named in meta.profile, from the ANS GAP 3.0.0 package
  (snapshots, fixed values, slicing, required bindings it can resolve), and R4 core rules.

Usage: fhir-validate.py GAP_PACKAGE.tgz FILE_OR_DIR...
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
            yield from sorted(path.glob("*.json"))
        else:
            yield path


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    logging.disable(logging.CRITICAL)
    import fhirkit
    from pyfhircheck.config import ValidatorConfig
    from pyfhircheck.core.engine import Validator

    work = tempfile.mkdtemp(prefix="creneau-fhir-")
    config = ValidatorConfig.load_dict({
        "fhirVersion": "4.0.1",
        "localPackagePaths": [sys.argv[1]],
        "packageCacheDir": work + "/packages",
        "terminology": {"mode": "local", "cacheDir": work + "/terminology"},
        "evidenceOutputDir": work + "/evidence",
    })
    validator = Validator(config)
    passed = failed = 0
    for path in files(sys.argv[2:]):
        resource = json.loads(path.read_text(encoding="utf-8"))
        errors = []
        for issue in fhirkit.validate(resource):
            line = f"{path.name}: {issue.path}: {issue.message} [R4 core, fhirkit]"
            if issue.severity == "error":
                errors.append(line)
            else:
                print("WARNING " + line)
        report = validator.validate_resource(resource, input_source=str(path))
        for issue in report.issues:
            line = f"{path.name}: {issue.path}: {issue.message} [{issue.code}, pyfhircheck]"
            severity = getattr(issue.severity, "value", str(issue.severity)).lower()
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
