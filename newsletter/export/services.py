"""Mail services: how each one's merge tags fill the theme's neutral links, and what it needs."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from newsletter.build.render import FooterLinks, Rendition
from newsletter.checks.inspection import Inspection
from newsletter.checks.offline import run_checks
from newsletter.checks.report import count
from newsletter.export.message import compose
from newsletter.model.issue import Issue
from newsletter.model.problems import UserError
from newsletter.model.settings import Settings


@dataclass(frozen=True)
class Service:
    """A mail service's tags for the footer's links, and those its emails must contain."""

    name: str
    links: FooterLinks | None  # None: the settings' own URLs
    required: tuple[str, ...] = ()
    files: tuple[str, ...] = ("email.html", "email.txt")


SERVICES = {
    "mailchimp": Service(
        "mailchimp", FooterLinks("*|UNSUB|*", "*|ARCHIVE|*", "*|UPDATE_PROFILE|*"), ("*|UNSUB|*",)
    ),
    "listmonk": Service(
        "listmonk",
        FooterLinks("{{ UnsubscribeURL }}", "{{ MessageURL }}", "{{ ManageURL }}"),
        ("{{ UnsubscribeURL }}",),
        ("email.html", "email.txt", "campaign.json"),
    ),
    "buttondown": Service(
        "buttondown",
        FooterLinks("{{ unsubscribe_url }}", "{{ email.absolute_url }}", None),
        ("{{ unsubscribe_url }}",),
        ("email.html",),
    ),
    "html": Service("html", None),
    "eml": Service("eml", None, files=("email.eml",)),
}

ALL_TAGS = frozenset(
    tag
    for service in SERVICES.values()
    if service.links
    for tag in (service.links.unsubscribe, service.links.web_version, service.links.preferences)
    if tag
)


def service(name: str) -> Service:
    """The service called `name`; the error lists the ones there are."""
    try:
        return SERVICES[name]
    except KeyError:
        raise UserError(f"no mail service {name!r}; there are: {', '.join(SERVICES)}") from None


def export_files(
    service: Service, inspection: Inspection, *, utm: bool, force: bool, now: dt.datetime
) -> dict[str, bytes]:
    """The files `service` needs, by name, from the issue as rendered for it (its merge
    tags in the footer). Refused (a UserError) while the pre-send checks find errors, unless
    `force`, and when the email lacks a tag the service requires."""
    errors = sum(p.severity == "error" for p in run_checks(inspection))
    if errors and not force:
        raise UserError(
            f"the checks find {count(errors, 'error')} in {inspection.document.path} (newsletter"
            " check tells which); nothing was exported (--force exports it anyway)"
        )
    rendition = inspection.exported(inspection.rendition) if utm else inspection.rendition
    missing = [tag for tag in service.required if tag not in rendition.html]
    if missing:
        raise UserError(
            f"{service.name} needs {' and '.join(missing)} in the email, and the theme's HTML "
            "has none: give the footer an unsubscribe link (links.unsubscribe)"
        )
    settings = inspection.settings
    if service.name == "eml":
        return {"email.eml": eml(rendition, settings, now=now)}
    files = {"email.html": rendition.html.encode()}
    if "email.txt" in service.files:
        files["email.txt"] = rendition.text.encode()
    if "campaign.json" in service.files:
        files["campaign.json"] = campaign(rendition, inspection.issue, settings).encode()
    return files


def eml(rendition: Rendition, settings: Settings, *, now: dt.datetime) -> bytes:
    """The issue as a complete message, addressed to the sender: a recipient the editor's
    mail client or service replaces, and without which spam filters score the message
    (SpamAssassin's MISSING_HEADERS)."""
    return compose(rendition, settings, now=now, to=[settings.sender.email]).as_bytes()


def preheader_for(service: Service, settings: Settings) -> str | None:
    """The preheader the service fills in itself, in place of the issue's: Mailchimp's, when
    the settings ask for it."""
    if service.name == "mailchimp" and settings.export.mailchimp_preview_text:
        return "*|MC_PREVIEW_TEXT|*"
    return None


def campaign(rendition: Rendition, issue: Issue, settings: Settings) -> str:
    """listmonk's POST /api/campaigns body for the issue."""
    body = {
        "name": f"{settings.name} #{issue.number} ({issue.date.isoformat()})",
        "subject": rendition.subject,
        "lists": settings.export.listmonk_lists,
        "type": "regular",
        "content_type": "html",
        "body": rendition.html,
        "altbody": rendition.text,
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
