"""The email as a message: multipart/alternative, text then HTML, ready to send or to save."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from newsletter.build.render import Rendition
from newsletter.model.fields import CONTROL_CHARACTERS, EMAIL_ADDRESS
from newsletter.model.problems import UserError
from newsletter.model.settings import Settings

_HEADER_BREAKING = re.compile(rf"[\t\n\r\u2028\u2029]|{CONTROL_CHARACTERS.pattern}")


def safe_header(name: str, value: str) -> str:
    """`value`, refused if a control character (a newline, say) could inject a header."""
    if _HEADER_BREAKING.search(value):
        raise UserError(f"the {name} contains a line break or control character: {value!r}")
    return value


def safe_address(value: str) -> str:
    """A bare email address, refused unless it looks like one (and nothing more)."""
    address = safe_header("address", value.strip())
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
) -> EmailMessage:
    """The message: From the settings' sender, the text part first, then the HTML; with
    List-Unsubscribe headers when the settings have an unsubscribe URL."""
    message = EmailMessage(policy=SMTP)
    sender = safe_address(settings.sender.email)
    message["From"] = Address(safe_header("sender name", settings.sender.name), addr_spec=sender)
    if to:
        message["To"] = ", ".join(safe_address(a) for a in to)
    message["Subject"] = safe_header("subject", subject or rendition.subject)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    unsubscribe, one_click = settings.links.unsubscribe, settings.links.one_click
    if unsubscribe and unsubscribe.startswith(("https://", "http://")):
        message["List-Unsubscribe"] = f"<{safe_header('unsubscribe URL', unsubscribe)}>"
        if one_click and unsubscribe.startswith("https://"):  # RFC 8058: POST, over HTTPS
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Quoted-printable keeps every line under 998 bytes (RFC 5322) however long the HTML's.
    message.set_content(rendition.text, cte="quoted-printable")
    message.add_alternative(rendition.html, subtype="html", cte="quoted-printable")
    return message
