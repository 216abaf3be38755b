"""The outside world of bench/messages.py, in a process of its own: 3 webhook receivers and an SMTP server.

    python bench/receivers.py HOOKS

Prints one line `ready <smtp port> <hook url>...`, then one line per message that arrives:
`<channel> <pain point id> <delivery id> <time.monotonic()>` (the clock is the machine's monotonic clock,
the same in every process, so the bench compares it with its own commit times). Receivers live on other
machines in real life; here they share the 2 cores with the system under test, so the bench runs this
process at the lowest priority (nice 19): it takes only CPU time the server, its worker and the database
leave idle, rather than competing with the phones it measures (as it did inside the bench's own process,
where its threads also held the phones' GIL).
"""

import email
import email.policy
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from tests.server_process import free_port

POINT = re.compile(r"pain-points/([0-9a-f-]{36})")
OUT = threading.Lock()


def report(channel: str, point_id: str, delivery_id: str) -> None:
    line = f"{channel} {point_id} {delivery_id.replace(' ', '')} {time.monotonic():.6f}\n"
    with OUT:
        sys.stdout.write(line)


def receiver(name: str) -> str:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            report(name, body["data"]["pain_point"]["id"], self.headers["X-Undercover-Delivery"])
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/{name}"


class Mailbox:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        found = POINT.search(msg.get_body(("plain",)).get_content())
        report("email", found.group(1) if found else "?", msg["Message-ID"])
        return "250 OK"


def flusher() -> None:
    while True:
        time.sleep(0.05)
        with OUT:
            sys.stdout.flush()


def main() -> None:
    hooks = [receiver(f"hook{i}") for i in range(int(sys.argv[1]))]
    port = free_port()
    smtp = Controller(Mailbox(), hostname="127.0.0.1", port=port)
    smtp.start()
    print("ready", port, *hooks, flush=True)
    threading.Thread(target=flusher, daemon=True).start()
    sys.stdin.read()  # until the bench closes our stdin
    smtp.stop()


if __name__ == "__main__":
    main()
