"""The email as a message: multipart/alternative, text then HTML, ready to send or to save."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from email.errors import HeaderParseError
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from newsletter.build.render import Rendition
from newsletter.model.fields import CONTROL_CHARACTERS, EMAIL_ADDRESS
from newsletter.model.problems import UserError
from newsletter.model.settings import Settings

_HEADER_BREAKING = re.compile(rf"[\t\n\r\u2028\u2029]|{CONTROL_CHARACTERS.pattern}")
_ATOMS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+")
"""A phrase that needs no quotes: words of atom characters (RFC 5322), spaces between."""


def safe_header(name: str, value: str) -> str:
    """`value`, refused if a control character (a newline, say) could inject a header: in
    the text itself, or in what its RFC 2047 encoded words (`=?utf-8?q?...?=`) decode to,
    which is what the header becomes."""
    if _HEADER_BREAKING.search(value) or _HEADER_BREAKING.search(_decoded(value)):
        raise UserError(f"the {name} contains a line break or control character: {value!r}")
    return value


def _decoded(value: str) -> str:
    """`value` with its encoded words decoded, as the email library itself decodes a header
    (charsets with a language, unknown charsets and all)."""
    try:
        return str(SMTP.header_factory("x-value", value))
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        return value


def _refuse_injected(message: EmailMessage, names: Sequence[str]) -> None:
    """Raise if the message's header block, as it will be sent, has any header but
    `names`: whatever got past the checks of each value, no header is ever smuggled in."""
    head = message.as_bytes().split(b"\r\n\r\n", 1)[0]
    found = [line.split(b":", 1)[0].decode("ascii", "replace") for line in head.split(b"\r\n")]
    sent = [n for n in found if n and not n[0].isspace()]
    if sorted(n.lower() for n in sent) != sorted(n.lower() for n in names):
        extra = sorted(set(sent) - set(names))
        raise UserError(f"the message would carry headers it must not: {', '.join(extra)}")


def safe_address(value: str) -> str:
    """A bare email address, refused unless it looks like one (and nothing more)."""
    address = safe_header("address", value.strip())
    if not EMAIL_ADDRESS.fullmatch(address):
        raise UserError(f"not an email address: {value!r}")
    return address


def list_id(settings: Settings) -> str:
    """The List-Id header (RFC 2919): the newsletter's name, then the sender's address as a
    list identifier, `The Caucasus Weekly <weekly.example.org>` for weekly@example.org."""
    local, _, domain = safe_address(settings.sender.email).rpartition("@")
    label = re.sub(r"[^a-z0-9]+", "-", local.lower()).strip("-") or "newsletter"
    name = safe_header("newsletter name", settings.name)
    if not name.isascii():  # encoded words (RFC 2047), which a phrase may be made of
        phrase = Header(name, "utf-8").encode(linesep=" ")
    elif _ATOMS.fullmatch(name):
        phrase = name
    else:
        phrase = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{phrase} <{label}.{domain.lower()}>"


def compose(
    rendition: Rendition,
    settings: Settings,
    *,
    now: dt.datetime,
    to: Sequence[str] = (),
    subject: str | None = None,
) -> EmailMessage:
    """The message: From the settings' sender, To `to`, the text part first, then the HTML;
    with a List-Id, and List-Unsubscribe headers when the settings have an unsubscribe URL
    (one-click, RFC 8058, only when they say so and the URL is https)."""
    message = EmailMessage(policy=SMTP)
    sender = safe_address(settings.sender.email)
    message["From"] = Address(safe_header("sender name", settings.sender.name), addr_spec=sender)
    if to:
        message["To"] = ", ".join(safe_address(a) for a in to)
    message["Subject"] = safe_header("subject", subject or rendition.subject)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message["List-Id"] = list_id(settings)
    unsubscribe, one_click = settings.links.unsubscribe, settings.links.one_click
    scheme = (unsubscribe or "").partition(":")[0].lower()  # HTTPS: is https: too
    if unsubscribe and scheme in ("https", "http"):
        message["List-Unsubscribe"] = f"<{safe_header('unsubscribe URL', unsubscribe)}>"
        if one_click and scheme == "https":  # RFC 8058: POST, over HTTPS
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    _refuse_injected(message, message.keys())
    # Quoted-printable keeps every line under 998 bytes (RFC 5322) however long the HTML's.
    message.set_content(rendition.text, cte="quoted-printable")
    message.add_alternative(rendition.html, subtype="html", cte="quoted-printable")
    return message
