#!/usr/bin/env python3
"""A local SMS gateway for Creneau's tests: an HTTP server that records every POST it gets and
answers as told.

Each request is written as JSON in --out (path, the authentication header, content type, the
fields it carried, whether they parsed), so the Swift tests check what a real HTTP peer received.
How it answers is read from --out/mode.json at each request, so a test can switch it mid-run:
  {"status": 202}                 accept (the default)
  {"status": 500}                 fail for a passing reason; {"status": 429} too many requests
  {"status": 400}                 refuse for good
  {"delay": 3}                    answer after 3 seconds (a slow gateway)
  {"drop": true}                  answer as if keeping the connection, then close it (a gateway
                                  dropping idle clients)

  sms-peer.py --port 0 --out DIR

Prints "ready PORT" once listening on 127.0.0.1; stops when stdin closes.
"""
import argparse
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


def handler_for(out):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            mode = {}
            try:
                with open(os.path.join(out, "mode.json"), encoding="utf-8") as f:
                    mode = json.load(f)
            except (OSError, ValueError):
                pass
            content_type = self.headers.get("Content-Type", "")
            try:
                if content_type.startswith("application/json"):
                    fields = json.loads(raw.decode("utf-8"))
                else:
                    fields = {k: v[0] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}
                parsed = True
            except (ValueError, UnicodeDecodeError):
                fields, parsed = {}, False
            status = int(mode.get("status", 202))
            record = {
                "path": self.path, "authorization": self.headers.get("Authorization"), "content_type": content_type,
                "fields": fields, "parsed": parsed, "status": status, "at": time.time(),
                "client_port": self.client_address[1],
            }
            path = os.path.join(out, f"{uuid.uuid4()}.json")
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                json.dump(record, f, ensure_ascii=False)
            os.rename(path + ".tmp", path)
            if mode.get("delay"):
                time.sleep(float(mode["delay"]))
            body = json.dumps({"id": str(uuid.uuid4())}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if status == 429:
                self.send_header("Retry-After", "1")
            self.end_headers()
            self.wfile.write(body)
            if mode.get("drop"):
                self.close_connection = True

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(args.out))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"ready {server.server_address[1]}", flush=True)
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    server.shutdown()


if __name__ == "__main__":
    main()
