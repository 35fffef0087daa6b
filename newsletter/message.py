"""The email as a message: multipart/alternative, text then HTML, ready to send or to save."""

from __future__ import annotations

import datetime as dt
import re
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from newsletter.model import EMAIL_ADDRESS, Settings
from newsletter.problems import UserError
from newsletter.render import Rendition

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def check_header(name: str, value: str) -> str:
    """`value`, refused if a control character (a newline, say) could inject a header."""
    if _CONTROL.search(value):
        raise UserError(f"the {name} contains a line break or control character: {value!r}")
    return value


def check_address(value: str) -> str:
    """A bare email address, refused unless it looks like one (and nothing more)."""
    address = check_header("address", value.strip())
    if not EMAIL_ADDRESS.fullmatch(address):
        raise UserError(f"not an email address: {value!r}")
    return address


def compose(
    rendition: Rendition,
    settings: Settings,
    *,
    now: dt.datetime,
    to: Sequence[str] = (),
    subject: str | None = None,
    unsubscribe: str | None = None,
    one_click: bool = False,
) -> EmailMessage:
    """The message: From the settings' sender, the text part first, then the HTML; with
    List-Unsubscribe headers when an unsubscribe URL is known."""
    message = EmailMessage(policy=SMTP)
    sender = check_address(settings.sender.email)
    message["From"] = Address(check_header("sender name", settings.sender.name), addr_spec=sender)
    if to:
        message["To"] = ", ".join(check_address(a) for a in to)
    message["Subject"] = check_header("subject", subject or rendition.subject)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    if unsubscribe and unsubscribe.startswith(("https://", "http://")):
        message["List-Unsubscribe"] = f"<{check_header('unsubscribe URL', unsubscribe)}>"
        if one_click and unsubscribe.startswith("https://"):  # RFC 8058: POST, over HTTPS
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Quoted-printable keeps every line under 998 bytes (RFC 5322) however long the HTML's.
    message.set_content(rendition.text, cte="quoted-printable")
    message.add_alternative(rendition.html, subtype="html", cte="quoted-printable")
    return message


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
