#!/usr/bin/env python3
"""Checks real answers of the API against the OpenAPI document's schemas.

Usage: openapi-check.py OPENAPI.json RECORDS.json
RECORDS: a JSON list of {"method", "path" (the route, with {id}), "status", "contentType", "body"}.
Each body is validated (JSON Schema 2020-12, jsonschema-rs) against the schema the document gives
for that operation and status (else its "default"); an answer whose status or content type the
document does not allow fails too. Prints each failure, then "N passed, M failed"; exit 1 on any.
"""
import json
import sys

import jsonschema_rs


def main():
    document = json.load(open(sys.argv[1], encoding="utf-8"))
    records = json.load(open(sys.argv[2], encoding="utf-8"))
    passed = failed = 0
    for record in records:
        where = f"{record['method']} {record['path']} → {record['status']}"
        operation = document["paths"].get(record["path"], {}).get(record["method"].lower())
        problems = []
        if operation is None:
            problems.append("not documented")
        else:
            responses = operation["responses"]
            response = responses.get(str(record["status"])) or responses.get("default")
            if response is None:
                problems.append("status not documented")
            elif "content" not in response:
                if record["body"]:
                    problems.append("a body where the document says none")
            else:
                media = record["contentType"].split(";")[0].strip()
                if media not in response["content"]:
                    problems.append(f"content type {media} not documented ({', '.join(response['content'])})")
                elif media.endswith("json"):
                    schema = dict(response["content"][media]["schema"])
                    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": document["components"], "allOf": [schema]}
                    validator = jsonschema_rs.validator_for(root, validate_formats=True)
                    for error in validator.iter_errors(json.loads(record["body"])):
                        problems.append(f"{error.message} at {'/'.join(str(p) for p in error.instance_path)}")
        if problems:
            failed += 1
            print(f"FAIL {where}: " + "; ".join(problems[:5]))
        else:
            passed += 1
    print(f"OpenAPI answers: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
