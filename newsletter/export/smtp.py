"""Sending a message over SMTP: where to, how securely, and what the server said."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from newsletter.model.problems import UserError

PORTS = {"none": 25, "starttls": 587, "ssl": 465}
"""The usual port for each kind of connection."""


def smtp_address(server: str, security: str) -> tuple[str, int]:
    """The host and port of `HOST[:PORT]`: without a port, the usual one for `security`;
    a ValueError says what is wrong with it."""
    host, _, port_text = server.rpartition(":")
    if not host and port_text and not port_text.isdigit():
        host, port_text = port_text, str(PORTS.get(security, 25))
    if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"not HOST or HOST:PORT: {server!r}")
    return host, int(port_text)


@dataclass(frozen=True)
class Smtp:
    """Where and how to send: host, port, TLS and login."""

    host: str = "localhost"
    port: int = 25
    security: str = "none"  # none | starttls | ssl
    user: str | None = None
    password: str | None = None
    timeout: float = 20.0
    tls: ssl.SSLContext | None = None  # default: the system's trust store


def send(message: EmailMessage, smtp: Smtp) -> None:
    """Send `message` to its recipients; one-line UserErrors for what can go wrong."""
    import smtplib

    context = smtp.tls or ssl.create_default_context()
    where = f"{smtp.host}:{smtp.port}"
    try:
        client: smtplib.SMTP
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=context)
            if smtp.user:
                client.login(smtp.user, smtp.password or "")
            # smtplib raises only when every recipient is refused; else it returns those that
            # were, and the message has gone to the rest.
            refused = client.send_message(message)
    except smtplib.SMTPAuthenticationError as e:
        raise UserError(f"{where} refused the login of {smtp.user!r}: {_said(e)}") from None
    except smtplib.SMTPRecipientsRefused as e:
        names = ", ".join(f"{a} ({_said(r)})" for a, r in e.recipients.items())
        raise UserError(f"{where} refused the recipients: {names}") from None
    except smtplib.SMTPSenderRefused as e:
        raise UserError(f"{where} refused the sender {e.sender!r}: {_said(e)}") from None
    except smtplib.SMTPNotSupportedError as e:
        # smtplib says "SMTP AUTH extension not supported by server." and the like.
        raise UserError(f"{where}: {str(e).rstrip('.')}") from None
    except smtplib.SMTPException as e:
        raise UserError(f"{where}: {_said(e)}") from None
    except ssl.SSLError as e:
        # A certificate's problem is in verify_message: "self-signed certificate", ...
        why = getattr(e, "verify_message", None)
        detail = f" ({why})" if why else ""
        raise UserError(f"TLS with {where} failed: {e.reason or e}{detail}") from None
    except TimeoutError:
        raise UserError(f"{where} did not answer within {smtp.timeout:g} s") from None
    except OSError as e:
        raise UserError(f"cannot connect to {where}: {e.strerror or e}") from None
    if refused:
        names = ", ".join(f"{a} ({_said(r)})" for a, r in refused.items())
        raise UserError(f"{where} refused the recipients: {names}; the others got the message")


def _said(error: object) -> str:
    """What an SMTP server said, in one line."""
    code = getattr(error, "smtp_code", None)
    text = getattr(error, "smtp_error", b"")
    if isinstance(error, tuple):
        code, text = error[0], error[1]
    words = text.decode(errors="replace") if isinstance(text, bytes) else str(text or error)
    line = " ".join(words.split())
    return f"{code} {line}" if code else line
