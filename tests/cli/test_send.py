"""`newsletter send-test` against a real SMTP server on 127.0.0.1 (aiosmtpd, in a thread)."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from newsletter.export.smtp import smtp_address
from tests.cli.test_export import as_mime_body, parts
from tests.conftest import RunCli, self_signed

pytestmark = pytest.mark.network

USER = "u"
PASSWORD = "correct-horse-7"  # distinctive, so that finding it in output means something
WRONG = "wrong-horse-9"


@dataclass(frozen=True)
class Received:
    """A message as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool
    authenticated: bool


@dataclass
class Inbox:
    """The server's handler: keeps what it receives, refuses the recipients it is told to."""

    refuse: frozenset[str] = frozenset()
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes) and envelope.mail_from
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.content,
                server.transport is not None
                and server.transport.get_extra_info("ssl_object") is not None,
                bool(session.authenticated),
            )
        )
        return "250 OK: queued"


class _Counting(Controller):
    """A controller that counts the connections its server accepted."""

    connections = 0

    def factory(self) -> SMTP:
        self.connections += 1  # called once per connection
        return super().factory()  # type: ignore[no-untyped-call,no-any-return]


@dataclass
class Server:
    """A running SMTP server: where it is, what it got, how many connections it saw."""

    controller: _Counting
    inbox: Inbox
    baseline: int  # the controller's own connection, made to see the server is up

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.controller.port}"

    @property
    def connections(self) -> int:
        return self.controller.connections - self.baseline


Authenticator = Callable[[SMTP, Session, Envelope, str, Any], AuthResult]


class StartServer(Protocol):
    def __call__(
        self, *, refuse: frozenset[str] = ..., tls: str = ..., authenticator: Authenticator = ...
    ) -> Server: ...


def free_port() -> int:
    """A TCP port nothing listens on (right now) on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, and its key, made with openssl."""
    return self_signed(tmp_path_factory.mktemp("tls"), "127.0.0.1", "IP:127.0.0.1")


def _authenticator(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    good = isinstance(auth_data, LoginPassword) and auth_data == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=good, handled=False)


@pytest.fixture
def smtp_server(certificate: tuple[Path, Path]) -> Iterator[StartServer]:
    """Start SMTP servers on 127.0.0.1: plain (tls="none"), or with a login and STARTTLS
    required (tls="starttls") or TLS from the start (tls="ssl")."""
    started: list[Controller] = []

    def start(
        *,
        refuse: frozenset[str] = frozenset(),
        tls: str = "none",
        authenticator: Authenticator = _authenticator,
    ) -> Server:
        inbox = Inbox(refuse)
        options: dict[str, Any] = {}
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*certificate)
        if tls == "starttls":
            options = {
                "tls_context": context,
                "require_starttls": True,
                "authenticator": authenticator,
                "auth_require_tls": True,
            }
        elif tls == "ssl":
            # aiosmtpd counts only STARTTLS as TLS for auth_require_tls.
            options = {"ssl_context": context, "authenticator": authenticator}
            options["auth_require_tls"] = False
        controller = _Counting(
            inbox, hostname="127.0.0.1", port=free_port(), server_hostname="smtp.test", **options
        )
        controller.start()
        started.append(controller)
        return Server(controller, inbox, controller.connections)

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def trusted(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The client trusts the test certificate: Python's default context reads SSL_CERT_FILE."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))


@pytest.fixture(autouse=True)
def _no_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSLETTER_SMTP_PASSWORD", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)


def _exported(project: Path, run: RunCli) -> tuple[str, str]:
    """The text and HTML of `export --to html`, as a MIME body holds them."""
    assert run("export", "--to", "html").exit_code == 0
    folder = project / "dist/2026-11-30/html"
    return tuple(  # type: ignore[return-value]
        as_mime_body((folder / name).read_text(encoding="utf-8"))
        for name in ("email.txt", "email.html")
    )


def test_send_to_two_addresses(project: Path, run: RunCli, smtp_server: StartServer) -> None:
    server = smtp_server()
    result = run("send-test", "--to", "a@example.org,b@example.org", "--smtp", server.address)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Sent [TEST] A small issue to a@example.org, b@example.org through {server.address}.\n"
    )
    assert result.stderr == ""
    [received] = server.inbox.received
    assert received.mail_from == "weekly@example.org"
    assert received.rcpt_tos == ["a@example.org", "b@example.org"]
    assert not received.tls and not received.authenticated
    message, text, page = parts(received.data)
    assert message["Subject"] == "[TEST] A small issue"
    assert message["To"] == "a@example.org, b@example.org"
    assert message["From"] == "Test Weekly <weekly@example.org>"
    assert message["List-Id"] == "Test Weekly <weekly.example.org>"
    assert message["List-Unsubscribe"] == "<https://example.org/weekly/unsubscribe>"
    assert "Bcc" not in message
    assert (text, page) == _exported(project, run)
    assert server.connections == 1


def test_repeated_to_options(project: Path, run: RunCli, smtp_server: StartServer) -> None:
    server = smtp_server()
    args = ["--to", "a@example.org", "--to", " b@example.org ,", "--smtp", server.address]
    result = run("send-test", *args)
    assert result.exit_code == 0, result.output
    assert server.inbox.received[0].rcpt_tos == ["a@example.org", "b@example.org"]


@pytest.mark.usefixtures("trusted")
def test_starttls_and_login(
    project: Path, run: RunCli, smtp_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp_server(tls="starttls")
    monkeypatch.setenv("NEWSLETTER_SMTP_PASSWORD", PASSWORD)
    result = run(
        "send-test", "--to", "a@example.org", "--smtp", server.address, "--starttls", "--user", USER
    )
    assert result.exit_code == 0, result.output
    assert (
        result.stdout == f"Sent [TEST] A small issue to a@example.org through {server.address}.\n"
    )
    [received] = server.inbox.received
    assert received.tls and received.authenticated
    _, text, page = parts(received.data)
    assert (text, page) == _exported(project, run)
    assert PASSWORD not in result.output


@pytest.mark.usefixtures("trusted")
def test_a_wrong_password(
    project: Path, run: RunCli, smtp_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp_server(tls="starttls")
    monkeypatch.setenv("NEWSLETTER_SMTP_PASSWORD", WRONG)
    result = run(
        "send-test", "--to", "a@example.org", "--smtp", server.address, "--starttls", "--user", USER
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {server.address} refused the login of 'u': "
        "535 5.7.8 Authentication credentials invalid\n"
    )
    assert WRONG not in result.output and PASSWORD not in result.output
    assert server.inbox.received == []


@pytest.mark.usefixtures("trusted")
def test_ssl_and_login(
    project: Path, run: RunCli, smtp_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp_server(tls="ssl")
    monkeypatch.setenv("NEWSLETTER_SMTP_PASSWORD", PASSWORD)
    args = ["--to", "a@example.org", "--smtp", server.address, "--ssl", "--user", USER]
    result = run("send-test", *args)
    assert result.exit_code == 0, result.output
    [received] = server.inbox.received
    assert received.tls and received.authenticated


def test_the_certificate_must_be_trusted(
    project: Path, run: RunCli, smtp_server: StartServer
) -> None:
    """Without SSL_CERT_FILE the same server's certificate is refused: the fixture `trusted`
    is what makes the STARTTLS tests pass, not a client that checks nothing."""
    server = smtp_server(tls="starttls")
    result = run("send-test", "--to", "a@example.org", "--smtp", server.address, "--starttls")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: TLS with {server.address} failed: ")
    assert "CERTIFICATE_VERIFY_FAILED (self-signed certificate)" in result.stderr
    assert result.stderr.count("\n") == 1
    assert server.inbox.received == []


@pytest.mark.usefixtures("trusted")
def test_a_server_that_requires_starttls(
    project: Path, run: RunCli, smtp_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp_server(tls="starttls")
    result = run("send-test", "--to", "a@example.org", "--smtp", server.address)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {server.address} refused the sender 'weekly@example.org': "
        "530 Must issue a STARTTLS command first\n"
    )
    monkeypatch.setenv("NEWSLETTER_SMTP_PASSWORD", PASSWORD)
    result = run("send-test", "--to", "a@example.org", "--smtp", server.address, "--user", USER)
    assert result.exit_code == 1
    assert (
        result.stderr == f"Error: {server.address}: SMTP AUTH extension not supported by server\n"
    )
    assert server.inbox.received == []


def test_user_without_password_is_a_usage_error(
    project: Path, run: RunCli, smtp_server: StartServer
) -> None:
    server = smtp_server()
    result = run("send-test", "--to", "a@example.org", "--smtp", server.address, "--user", USER)
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: --user needs the password in NEWSLETTER_SMTP_PASSWORD\n")
    assert server.connections == 0


def test_ssl_against_a_plain_server(project: Path, run: RunCli, smtp_server: StartServer) -> None:
    server = smtp_server()
    result = run("send-test", "--to", "a@example.org", "--smtp", server.address, "--ssl")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: TLS with {server.address} failed: ")
    assert result.stderr.count("\n") == 1
    assert server.inbox.received == []


def test_connection_refused(project: Path, run: RunCli) -> None:
    port = free_port()
    result = run("send-test", "--to", "a@example.org", "--smtp", f"127.0.0.1:{port}")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: cannot connect to 127.0.0.1:{port}: Connection refused\n"


def test_a_refused_recipient(project: Path, run: RunCli, smtp_server: StartServer) -> None:
    server = smtp_server(refuse=frozenset({"nobody@example.org"}))
    result = run("send-test", "--to", "nobody@example.org", "--smtp", server.address)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {server.address} refused the recipients: nobody@example.org "
        "(550 5.1.1 <nobody@example.org>: no such mailbox here)\n"
    )
    assert server.inbox.received == []


def test_one_refused_recipient_of_two(project: Path, run: RunCli, smtp_server: StartServer) -> None:
    """smtplib does not raise when some recipients are accepted: still, say who was not."""
    server = smtp_server(refuse=frozenset({"nobody@example.org"}))
    result = run("send-test", "--to", "a@example.org,nobody@example.org", "--smtp", server.address)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {server.address} refused the recipients: nobody@example.org "
        "(550 5.1.1 <nobody@example.org>: no such mailbox here); the others got the message\n"
    )
    [received] = server.inbox.received
    assert received.rcpt_tos == ["a@example.org"]


@pytest.mark.parametrize(
    ("address", "error"),
    [
        ("not-an-address", "not an email address: 'not-an-address'"),
        ("a@b", "not an email address: 'a@b'"),
        (
            "x@y.org\nBcc: z@w.org",
            "the address contains a line break or control character: 'x@y.org\\nBcc: z@w.org'",
        ),
        ("ok@example.org,<x@y.org>", "not an email address: '<x@y.org>'"),
        ("a@..com", "not an email address: 'a@..com'"),
        ("a@-example.org", "not an email address: 'a@-example.org'"),
        (
            "x@y.org\x85Bcc: z@w.org",
            "the address contains a line break or control character: 'x@y.org\\x85Bcc: z@w.org'",
        ),
    ],
)
def test_an_invalid_address_is_refused_before_connecting(
    project: Path, run: RunCli, smtp_server: StartServer, address: str, error: str
) -> None:
    server = smtp_server()
    result = run("send-test", "--to", address, "--smtp", server.address)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {error}\n"
    assert server.connections == 0


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--starttls", "--ssl"], "Error: --starttls and --ssl exclude each other\n"),
        (["--smtp", "h:"], "Error: Invalid value for --smtp: not HOST or HOST:PORT: 'h:'\n"),
        (
            ["--smtp", "h:99999"],
            "Error: Invalid value for --smtp: not HOST or HOST:PORT: 'h:99999'\n",
        ),
        (["--password", "x"], "Error: No such option '--password'.\n"),
    ],
)
def test_usage_errors(
    project: Path, run: RunCli, smtp_server: StartServer, args: list[str], error: str
) -> None:
    server = smtp_server()
    result = run("send-test", "--to", "a@example.org", "--smtp", server.address, *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.endswith(error)
    assert server.connections == 0


def test_no_address_is_a_usage_error(project: Path, run: RunCli) -> None:
    result = run("send-test", "--to", " , ", "--smtp", f"127.0.0.1:{free_port()}")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: Invalid value for --to: no address given\n")


def test_the_password_is_in_no_argument_and_no_output(
    project: Path, smtp_server: StartServer, certificate: tuple[Path, Path]
) -> None:
    """The real command in its own process: at the moment it logs in, the server reads the
    client's command line from /proc; neither it nor the output holds the password."""
    seen: list[bytes] = []
    process: list[subprocess.Popen[str]] = []
    ready = threading.Event()

    def authenticator(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ready.wait(10)
        seen.append(Path(f"/proc/{process[0].pid}/cmdline").read_bytes())
        return _authenticator(server, session, envelope, mechanism, auth_data)

    server = smtp_server(tls="starttls", authenticator=authenticator)
    env = {
        "PATH": "/usr/bin:/bin",
        "SSL_CERT_FILE": str(certificate[0]),
        "NEWSLETTER_SMTP_PASSWORD": PASSWORD,
    }
    args = ["--to", "a@example.org", "--smtp", server.address, "--starttls", "--user", USER]
    process.append(
        subprocess.Popen(
            [sys.executable, "-m", "newsletter", "send-test", *args],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    )
    ready.set()
    out, err = process[0].communicate(timeout=60)
    assert process[0].returncode == 0, err
    assert out == f"Sent [TEST] A small issue to a@example.org through {server.address}.\n"
    [cmdline] = seen
    assert b"send-test" in cmdline and USER.encode() in cmdline
    assert PASSWORD.encode() not in cmdline
    assert PASSWORD not in out + err
    assert len(server.inbox.received) == 1


@pytest.mark.parametrize(
    "command", [["send-test", "--to", "a@example.org"], ["export", "--to", "eml"]]
)
def test_a_subject_that_would_inject_a_header_is_refused_at_its_line(
    project: Path, run: RunCli, smtp_server: StartServer, command: list[str]
) -> None:
    server = smtp_server()
    issue = project / "issues" / "2026-11-30.yaml"
    text = issue.read_text(encoding="utf-8")
    issue.write_text(
        text.replace("subject: A small issue", 'subject: "A small issue\\x85Bcc: x@example.com"'),
        encoding="utf-8",
    )
    result = run(*command, "--smtp", server.address) if command[0] == "send-test" else run(*command)
    assert result.exit_code == 1
    assert "subject: contains the control character U+0085; remove it" in result.stderr
    assert result.stderr.startswith("issues/2026-11-30.yaml:3:10: ")
    assert server.connections == 0
    assert not (project / "dist").exists()


@pytest.mark.parametrize(
    ("server", "security", "address"),
    [
        ("smtp.example.org", "none", ("smtp.example.org", 25)),
        ("smtp.example.org", "starttls", ("smtp.example.org", 587)),
        ("smtp.example.org", "ssl", ("smtp.example.org", 465)),
        ("127.0.0.1:2525", "ssl", ("127.0.0.1", 2525)),
    ],
)
def test_a_host_without_a_port_gets_the_usual_one(
    server: str, security: str, address: tuple[str, int]
) -> None:
    assert smtp_address(server, security) == address


ENCODED_INJECTIONS = [
    "=?utf-8?q?Hello=0D=0ABcc:_victim@example.com?=",
    "=?UTF-8?B?SGVsbG8NCkJjYzogdmljdGltQGV4YW1wbGUuY29t?=",
    "=?utf-8*en?q?Hello=0D=0ABcc:_victim@example.com?=",  # with a language (RFC 2231)
    "=?x-unknown?q?Hello=0A=0ABcc:_victim@example.com?=",  # a charset nobody knows
    "Hi =?utf-8?q?there=0D?= =?utf-8?q?=0ABcc:_victim@example.com?=",  # split over two words
    "=?utf-8?q?Hello=E2=80=A8Bcc:_victim@example.com?=",  # U+2028, a line separator
]


@pytest.mark.parametrize("field", ["subject", "sender name"])
@pytest.mark.parametrize("value", ENCODED_INJECTIONS)
@pytest.mark.parametrize(
    "command", [["send-test", "--to", "a@example.org"], ["export", "--to", "eml"]]
)
def test_encoded_words_that_decode_to_a_header_are_refused(
    project: Path,
    run: RunCli,
    smtp_server: StartServer,
    command: list[str],
    field: str,
    value: str,
) -> None:
    server = smtp_server()
    if field == "subject":
        path = project / "issues" / "2026-11-30.yaml"
        old, new = "subject: A small issue", f"subject: '{value}'"
    else:
        path = project / "newsletter.yaml"
        old, new = "sender:\n  name: Test Weekly", f"sender:\n  name: '{value}'"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    result = run(*command, "--smtp", server.address) if command[0] == "send-test" else run(*command)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: the {field} contains a line break or control character"
    )
    assert len(result.stderr.splitlines()) == 1
    assert server.connections == 0 and server.inbox.received == []
    assert not (project / "dist").exists()


def test_an_encoded_word_that_decodes_to_plain_text_goes_out(
    project: Path, run: RunCli, smtp_server: StartServer
) -> None:
    server = smtp_server()
    path = project / "issues" / "2026-11-30.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("subject: A small issue", "subject: '=?utf-8?q?caf=C3=A9?= news'"))
    result = run("send-test", "--to", "a@example.org", "--smtp", server.address)
    assert result.exit_code == 0, result.output
    [received] = server.inbox.received
    message, _, _ = parts(received.data)
    assert message["Subject"] == "[TEST] café news"
    headers = "From To Subject Date Message-ID List-Id List-Unsubscribe MIME-Version Content-Type"
    assert sorted(message.keys()) == sorted(headers.split())
