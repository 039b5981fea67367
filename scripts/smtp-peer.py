#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for Creneau's tests of its SMTP client.

Each message received is parsed with Python's own email package and written as
JSON (envelope, decoded headers, decoded body, parser defects) in --out, so the
Swift tests check what a real peer understood, not what the client meant to send.

  smtp-peer.py --port 2525 --out DIR [--tls-cert C --tls-key K] [--auth USER:PASSWORD]

Prints "ready PORT" on stdout (--port 0 picks a free port) once listening on 127.0.0.1; stops on SIGTERM or when
stdin closes (so a crashed test never leaves it running).
"""
import argparse
import json
import os
import ssl
import sys
import threading
import uuid
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Recorder:
    def __init__(self, out):
        self.out = out

    async def handle_DATA(self, server, session, envelope):
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "client_port": session.peer[1] if isinstance(session.peer, tuple) else 0,
            "authenticated": bool(session.authenticated),
            "subject": str(message["subject"]),
            "from": str(message["from"]),
            "to": str(message["to"]),
            "date": str(message["date"]),
            "message_id": str(message["message-id"]),
            "content_type": message.get_content_type(),
            "charset": message.get_content_charset(),
            "body": message.get_body(preferencelist=("plain",)).get_content() if message.get_body(preferencelist=("plain",)) else "",
            "html": message.get_body(preferencelist=("html",)).get_content() if message.get_body(preferencelist=("html",)) else None,
            "attachments": [
                {"content_type": part.get_content_type(), "filename": part.get_filename(), "method": part.get_param("method"),
                 "content": part.get_content() if part.get_content_maintype() == "text" else None}
                for part in message.iter_attachments()
            ] if message.is_multipart() else [],
            "defects": [type(d).__name__ for part in message.walk() for d in part.defects],
            "max_line_length": max(len(line) for line in (envelope.original_content or envelope.content).split(b"\r\n")),
        }
        path = os.path.join(self.out, f"{uuid.uuid4()}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(path + ".tmp", path)
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--auth")
    args = parser.parse_args()

    options = {}
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        options.update(tls_context=context, require_starttls=True)
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False)

        options.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(args.tls_cert))

    port = args.port
    if port == 0:
        import socket
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    controller = Controller(Recorder(args.out), hostname="127.0.0.1", port=port, **options)
    controller.start()
    print(f"ready {port}", flush=True)
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    controller.stop()


if __name__ == "__main__":
    main()
