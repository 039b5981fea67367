#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for Creneau's tests of its SMTP client.

Each message received is parsed with Python's own email package and written as
JSON (envelope, decoded headers, decoded body, parser defects) in --out, so the
Swift tests check what a real peer understood, not what the client meant to send.

  smtp-peer.py --port 2525 --out DIR [--tls-cert C --tls-key K] [--auth USER:PASSWORD] [--reuse-port] [--headers-only]

--headers-only records the envelope and the headers (Message-ID, Subject…) without decoding
the body, as a relay does: the messages benchmark uses it so that what it measures is Creneau
writing and sending, not Python decoding MIME; the tests use the full record.

--reuse-port lets several of these processes listen on one port (SO_REUSEPORT; the kernel
spreads connections over them), as a relay runs several SMTP processes: the messages benchmark
uses two, so that the relay is not the bottleneck of what it measures (one Python process
parsing and recording each message tops out near 300 messages/s on a core).

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
from email.parser import BytesHeaderParser, BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Recorder:
    def __init__(self, out, headers_only=False):
        self.out = out
        self.headers_only = headers_only

    async def handle_DATA(self, server, session, envelope):
        if self.headers_only:
            raw = envelope.original_content or envelope.content
            headers = BytesHeaderParser().parsebytes(raw)
            self.write({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "message_id": str(headers["message-id"]),
                        "subject": str(headers["subject"]), "content_type": headers.get_content_type(), "size": len(raw)})
            return "250 OK"
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
        self.write(record)
        return "250 OK"

    def write(self, record):
        path = os.path.join(self.out, f"{uuid.uuid4()}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(path + ".tmp", path)


class SharedPortController(Controller):
    """Listens with SO_REUSEPORT. The start-up probe connection may reach a sibling process,
    so the protocol factory is invoked directly instead of through it."""

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, host=self.hostname, port=self.port, ssl=self.ssl_context, reuse_port=True)

    def _trigger_server(self):
        self.loop.call_soon_threadsafe(self._factory_invoker)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--auth")
    parser.add_argument("--reuse-port", action="store_true")
    parser.add_argument("--headers-only", action="store_true")
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
    controller = (SharedPortController if args.reuse_port else Controller)(Recorder(args.out, headers_only=args.headers_only), hostname="127.0.0.1", port=port, **options)
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
