"""Real mail servers on 127.0.0.1 for the tests and the demo: Dovecot (IMAP) and aiosmtpd (SMTP).

Never a mock: ``DovecotServer`` runs Debian's ``dovecot`` (package ``dovecot-imapd``, installed
by ``make mail-deps``) with a throw-away configuration, a static passdb (every user has the server's one
password) and Maildirs under a temporary directory, listening on a free port of
127.0.0.1 without TLS. ``SmtpServer`` is aiosmtpd: it requires AUTH (with the same users and
password, as a provider does), and delivers each message addressed to one of Dovecot's users
(``local+tag@domain`` included: plus-addressing) into that user's INBOX over IMAP APPEND, so
that Dovecot alone ever writes the Maildir. Every message it accepts is also kept in
``received`` (envelope and bytes), whoever it is for: what "the school" got.

Fixtures (imported by ``tests/conftest.py``): ``dovecot`` and ``smtp_server`` run once per test
process (pytest-xdist workers each start their own, on their own ports and directories);
``mail_account`` gives each test a fresh user (its own address and Maildir) and an empty
``received``, so tests never see each other's mail.

Run by hand (``make mail-servers``), ``python -m tests.mail_servers serve`` starts both for the
demo (see README, "Email audits through persona mailboxes"); ``python -m tests.mail_servers reply``
answers the last message the school was sent, into the persona's INBOX.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import ctypes.util
import email
import email.policy
import imaplib
import itertools
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPProtocol  # noqa: N811  (aiosmtpd's name)
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
MISSING = "Dovecot is not installed: run 'make mail-deps' (or 'sudo apt-get install dovecot-imapd')."
DOMAIN = "example.net"  # the personas' domain in the demo (a .test name fails address checks)
START_SECONDS = 15.0
_PR_SET_PDEATHSIG = 1  # prctl(2)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class MailUser:
    """One mailbox on the local servers: its address, and the login it shares for IMAP and SMTP."""

    address: str
    password: str

    @property
    def username(self) -> str:
        """The login name (the address, as many providers use)."""
        return self.address


def _mail_owner() -> tuple[str, int, int]:
    """The account Dovecot's processes run as: ours, or an unprivileged one when we are root."""
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.geteuid())
        return entry.pw_name, entry.pw_uid, entry.pw_gid
    for name in ("mail", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return name, entry.pw_uid, entry.pw_gid
    raise RuntimeError("no unprivileged account to run Dovecot's mail processes as")


def _stop_with_parent() -> None:
    """In the child: have Linux send SIGTERM when the process that started it dies (a crashed worker)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class DovecotServer:
    """A Dovecot IMAP server with its own configuration, users and Maildirs under ``root``."""

    def __init__(
        self,
        root: Path | None = None,
        port: int | None = None,
        host: str = "127.0.0.1",
        password: str = "persona-mail-secret",
    ) -> None:
        # Without a ``root``, everything lives in a new directory of /tmp, removed by ``stop``: Dovecot's
        # own processes (another account when we are root) must be able to reach it, which a pytest
        # temporary directory (mode 0700) does not allow, and its sockets need short paths (108 bytes).
        self._own_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="tp-mail-")) if root is None else root
        self.host = host
        self.port = port or free_port()
        # A static passdb: any user name logs in with this password (each name has its own Maildir).
        self.password = password
        self.users: dict[str, MailUser] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._run_dir = Path(tempfile.mkdtemp(prefix="tp-dovecot-"))
        self._lock = threading.Lock()

    @property
    def log_file(self) -> Path:
        """Where Dovecot writes its log (read it when a test cannot log in)."""
        return self.root / "dovecot.log"

    def _config(self) -> str:
        owner, uid, gid = _mail_owner()
        lines = [
            "protocols = imap",
            f"listen = {self.host}",
            f"base_dir = {self._run_dir}",
            f"state_dir = {self.root / 'state'}",
            f"log_path = {self.log_file}",
            "ssl = no",
            "disable_plaintext_auth = no",
            "auth_mechanisms = plain login",
            "mail_location = maildir:~/Maildir",
            f"first_valid_uid = {min(uid, 500)}",
            f"first_valid_gid = {min(gid, 500)}",
            "mail_max_userip_connections = 200",
            "auth_failure_delay = 0",  # a wrong password fails at once (2 s otherwise): tests try some
            "passdb {",
            "  driver = static",
            f"  args = password={self.password}",
            "}",
            "userdb {",
            "  driver = static",
            f"  args = uid={uid} gid={gid} home={self.root / 'home'}/%u",
            "}",
            # No per-address penalty after failed logins: tests try wrong passwords, all from 127.0.0.1.
            "service anvil {",
            "  unix_listener anvil-auth-penalty {",
            "    mode = 0",
            "  }",
            "}",
            "service imap-login {",
            "  inet_listener imap {",
            f"    address = {self.host}",
            f"    port = {self.port}",
            "  }",
            "  inet_listener imaps {",
            "    port = 0",
            "  }",
            "}",
        ]
        if os.geteuid() != 0:
            lines[1:1] = [f"default_internal_user = {owner}", f"default_login_user = {owner}"]
        return "\n".join(lines) + "\n"

    def start(self) -> DovecotServer:
        """Write the configuration and start Dovecot; return when it greets on its port."""
        if not Path(DOVECOT).exists():
            raise RuntimeError(MISSING)
        _, uid, gid = _mail_owner()
        (self.root / "state").mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o711)
        home = self.root / "home"
        home.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            os.chown(home, uid, gid)
        config = self.root / "dovecot.conf"
        config.write_text(self._config())
        self._process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_stop_with_parent,
        )
        self._wait_for_greeting()
        return self

    def _wait_for_greeting(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                error = self._process.stderr.read().decode() if self._process.stderr else ""
                raise RuntimeError(f"Dovecot stopped at start: {error}{self._log_tail()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection((self.host, self.port), timeout=1) as connection,
            ):
                if connection.recv(200).startswith(b"* OK"):
                    return
            time.sleep(0.05)
        raise RuntimeError(f"Dovecot did not answer on port {self.port}{self._log_tail()}")

    def _log_tail(self) -> str:
        if not self.log_file.exists():
            return ""
        return "\n" + "\n".join(self.log_file.read_text(errors="replace").splitlines()[-20:])

    def stop(self) -> None:
        """Stop Dovecot; remove its run directory, and its ``root`` when it made it (a given one stays)."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process is not None and self._process.stderr:
            self._process.stderr.close()
        self._process = None
        shutil.rmtree(self._run_dir, ignore_errors=True)
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def add_user(self, address: str) -> MailUser:
        """A mailbox for ``address`` (its Maildir appears on first use); mail for it is delivered here."""
        user = MailUser(address=address.lower(), password=self.password)
        with self._lock:
            self.users[user.address] = user
        return user

    def user_for(self, address: str) -> MailUser | None:
        """The local user an address is delivered to: ``local+tag@domain`` goes to ``local@domain``."""
        _, bare = parseaddr(address)
        local, _, domain = bare.lower().partition("@")
        return self.users.get(f"{local.split('+', 1)[0]}@{domain}")

    @contextlib.contextmanager
    def imap(self, user: MailUser) -> Iterator[imaplib.IMAP4]:
        """A logged-in IMAP connection as ``user``."""
        connection = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            connection.login(user.username, user.password)
            yield connection
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                connection.logout()

    def append(self, user: MailUser, message: bytes, folder: str = "INBOX", flags: str = "") -> None:
        """Put ``message`` into ``user``'s ``folder`` (IMAP APPEND), as a delivery would."""
        with self.imap(user) as connection:
            if folder != "INBOX":
                connection.create(folder)
            status, detail = connection.append(folder, flags or None, None, message)
            if status != "OK":
                raise RuntimeError(f"APPEND refused: {detail!r}")

    def messages(self, user: MailUser, folder: str = "INBOX") -> list[bytes]:
        """Every message in ``user``'s ``folder``, oldest first (read without marking them seen)."""
        with self.imap(user) as connection:
            connection.select(folder, readonly=True)
            _, data = connection.uid("SEARCH", "ALL")
            found = []
            for uid in data[0].split():
                _, parts = connection.uid("FETCH", uid, "(BODY.PEEK[])")
                found.extend(part[1] for part in parts if isinstance(part, tuple))
            return found


@dataclass
class Received:
    """One message the SMTP server accepted: who sent it, to whom, its bytes."""

    sender: str
    recipients: list[str]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        """The message, parsed."""
        parsed = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class _Delivery:
    """aiosmtpd's handler: authenticates against Dovecot's users, delivers into their INBOXes."""

    dovecot: DovecotServer
    catch_all: str = ""
    received: list[Received] = field(default_factory=list)

    def authenticate(
        self, server: SMTPProtocol, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        """Accept a login whose user and password are one of Dovecot's."""
        if isinstance(data, LoginPassword):
            user = self.dovecot.users.get(data.login.decode().lower())
            if user is not None and user.password == data.password.decode():
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    async def handle_MAIL(  # noqa: N802  (aiosmtpd's hook names)
        self, server: SMTPProtocol, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        """Refuse a message from a client that has not logged in, as a provider's server does."""
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTPProtocol, session: Session, envelope: Envelope
    ) -> str:
        """Keep the message, and APPEND it to each local recipient's INBOX (else the catch-all's)."""
        content = envelope.original_content or b""
        recipients = [str(r) for r in envelope.rcpt_tos]
        self.received.append(Received(str(envelope.mail_from), recipients, content))
        loop = asyncio.get_running_loop()
        for recipient in recipients:
            user = self.dovecot.user_for(recipient) or self.dovecot.user_for(self.catch_all)
            if user is not None:
                stamped = f"Delivered-To: {recipient}\r\n".encode() + content
                await loop.run_in_executor(None, self.dovecot.append, user, stamped)
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1, AUTH required (plain text: a local test server), delivering to Dovecot."""

    def __init__(self, dovecot: DovecotServer, port: int | None = None, catch_all: str = "") -> None:
        self.dovecot = dovecot
        self.host = dovecot.host
        self.port = port or free_port()
        self._delivery = _Delivery(dovecot, catch_all)
        # AUTH over plain text (this server only ever listens on 127.0.0.1); the handler refuses MAIL
        # before AUTH, rather than aiosmtpd's ``auth_required``, which warns about the missing TLS.
        self._controller = Controller(
            self._delivery,
            hostname=self.host,
            port=self.port,
            authenticator=self._delivery.authenticate,
            auth_required=False,
            auth_require_tls=False,
            decode_data=False,
            server_hostname="mail.example.net",
            ready_timeout=START_SECONDS,
        )

    @property
    def received(self) -> list[Received]:
        """Every message accepted since the last ``forget``, oldest first."""
        return self._delivery.received

    def forget(self) -> None:
        """Empty ``received``."""
        self._delivery.received.clear()

    def start(self) -> SmtpServer:
        """Start listening (in a thread of this process)."""
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()


@dataclass
class MailAccount:
    """A test's own persona mailbox on the local servers, and what the SMTP server received."""

    dovecot: DovecotServer
    smtp: SmtpServer
    user: MailUser

    @property
    def address(self) -> str:
        """The mailbox's address."""
        return self.user.address

    @property
    def password(self) -> str:
        """Its password, for IMAP and SMTP alike."""
        return self.user.password

    @property
    def host(self) -> str:
        """Where both servers listen."""
        return self.dovecot.host

    @property
    def imap_port(self) -> int:
        """Dovecot's port."""
        return self.dovecot.port

    @property
    def smtp_port(self) -> int:
        """aiosmtpd's port."""
        return self.smtp.port

    def deliver(self, message: EmailMessage | bytes, folder: str = "INBOX") -> None:
        """Drop ``message`` into this mailbox (IMAP APPEND), as the school's reply arriving."""
        raw = message if isinstance(message, bytes) else message.as_bytes()
        self.dovecot.append(self.user, raw, folder)

    def inbox(self, folder: str = "INBOX") -> list[EmailMessage]:
        """The messages in this mailbox's ``folder``, parsed, oldest first."""
        parsed = []
        for raw in self.dovecot.messages(self.user, folder):
            message = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            parsed.append(message)
        return parsed

    def sent_to(self, address: str) -> list[Received]:
        """The messages the SMTP server accepted for ``address``."""
        return [r for r in self.smtp.received if address.lower() in (x.lower() for x in r.recipients)]


def reply_to(original: EmailMessage, sender: str, body: str, when: str | None = None) -> EmailMessage:
    """A school's reply to ``original``: threaded by In-Reply-To and References, to its Reply-To."""
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = original["Reply-To"] or original["From"]
    subject = str(original["Subject"] or "")
    reply["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    reply["Date"] = when or formatdate(localtime=False, usegmt=True)
    reply["Message-ID"] = make_msgid(domain="school.test")
    if original["Message-ID"]:
        reply["In-Reply-To"] = original["Message-ID"]
        references = f"{original['References'] or ''} {original['Message-ID']}".strip()
        reply["References"] = references
    reply.set_content(body)
    return reply


# --- pytest fixtures ---------------------------------------------------------------------------

_ACCOUNTS = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """This test process's Dovecot (each xdist worker has its own port and directory)."""
    server = DovecotServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_server(dovecot: DovecotServer) -> Iterator[SmtpServer]:
    """This test process's SMTP server, delivering into ``dovecot``."""
    server = SmtpServer(dovecot).start()
    yield server
    server.stop()


@pytest.fixture
def mail_account(dovecot: DovecotServer, smtp_server: SmtpServer) -> MailAccount:
    """A fresh persona mailbox for this test, and an SMTP server that has received nothing yet."""
    smtp_server.forget()
    number = next(_ACCOUNTS)
    user = dovecot.add_user(f"persona{os.getpid()}x{number}@{DOMAIN}")
    return MailAccount(dovecot, smtp_server, user)


# --- by hand: the demo's servers -----------------------------------------------------------------

DEMO_STATE = "servers.json"


def _serve(arguments: argparse.Namespace) -> None:
    root = Path(arguments.dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    dovecot = DovecotServer(root, port=arguments.imap_port, password=arguments.password)
    dovecot.start()
    for address in [*arguments.user, arguments.school]:
        dovecot.add_user(address)
    smtp = SmtpServer(dovecot, port=arguments.smtp_port, catch_all=arguments.school).start()
    state = {"imap_port": dovecot.port, "smtp_port": smtp.port, "password": dovecot.password,
             "users": sorted(dovecot.users), "school": arguments.school}  # fmt: skip
    (root / DEMO_STATE).write_text(json.dumps(state))
    print(f"IMAP (Dovecot) on 127.0.0.1:{dovecot.port}, SMTP (aiosmtpd) on 127.0.0.1:{smtp.port}")
    print(f"Every mailbox's password: {dovecot.password}")
    for address in arguments.user:
        print(f"  persona mailbox {address} (also {address.replace('@', '+anything@')})")
    print(f"Mail to any other address (the schools') lands in {arguments.school}")
    print("Ctrl-C stops both.")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        smtp.stop()
        dovecot.stop()


def _reply(arguments: argparse.Namespace) -> None:
    """Answer the newest message the schools' mailbox received: the school replying to the persona."""
    root = Path(arguments.dir).resolve()
    state = json.loads((root / DEMO_STATE).read_text())
    dovecot = DovecotServer(root, port=state["imap_port"], password=state["password"])
    for address in state["users"]:
        dovecot.add_user(address)
    try:
        school = dovecot.users[state["school"]]
        sent = dovecot.messages(school)
        if not sent:
            raise SystemExit("The schools' mailbox is empty: send an email contact first.")
        original = email.message_from_bytes(sent[-1], policy=email.policy.default)
        assert isinstance(original, EmailMessage)
        reply = reply_to(original, f"Front Office <{original['To'].addresses[0].addr_spec}>", arguments.text)
        persona = dovecot.user_for(str(reply["To"]))
        if persona is None:
            raise SystemExit(f"No local mailbox for {reply['To']}")
        dovecot.append(persona, reply.as_bytes())
        print(f"Replied to {original['Subject']!s} into {persona.address}'s INBOX")
    finally:
        shutil.rmtree(dovecot._run_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    """``serve``: run Dovecot and the SMTP server for the demo; ``reply``: answer as the school."""
    parser = argparse.ArgumentParser(prog="python -m tests.mail_servers", description="Local mail servers.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start local IMAP and SMTP servers until Ctrl-C")
    serve.add_argument("--dir", default="instance/mail", help="where the configuration and Maildirs live")
    serve.add_argument("--imap-port", type=int, default=int(os.environ.get("DEMO_IMAP_PORT", "1143")))
    serve.add_argument("--smtp-port", type=int, default=int(os.environ.get("DEMO_SMTP_PORT", "1025")))
    serve.add_argument("--password", default=os.environ.get("DEMO_MAIL_PASSWORD", "persona-mail-secret"))
    serve.add_argument("--user", action="append", default=[], help="address of a persona mailbox")
    serve.add_argument(
        "--school", default="schools@example.com", help="receives mail for every other address"
    )
    serve.set_defaults(run=_serve)
    reply = commands.add_parser("reply", help="answer the newest message a school received")
    reply.add_argument("--dir", default="instance/mail")
    reply.add_argument("--text", default="Thank you for your message. Yes, you can visit on Tuesday at 10.")
    reply.set_defaults(run=_reply)
    arguments = parser.parse_args(argv)
    arguments.run(arguments)


if __name__ == "__main__":
    main()
