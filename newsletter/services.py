"""Mail services: how each one's merge tags fill the theme's neutral links, and what it needs."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from newsletter.model import Issue, Settings
from newsletter.problems import UserError
from newsletter.render import Links, Rendition, render, settings_links
from newsletter.theme import Theme
from newsletter.utm import tag_rendition


@dataclass(frozen=True)
class Service:
    """A mail service's tags for the footer's links, and those its emails must contain."""

    name: str
    links: Links | None  # None: the settings' own URLs
    required: tuple[str, ...] = ()
    files: tuple[str, ...] = ("email.html", "email.txt")


SERVICES = {
    "mailchimp": Service(
        "mailchimp", Links("*|UNSUB|*", "*|ARCHIVE|*", "*|UPDATE_PROFILE|*"), ("*|UNSUB|*",)
    ),
    "listmonk": Service(
        "listmonk",
        Links("{{ UnsubscribeURL }}", "{{ MessageURL }}", "{{ ManageURL }}"),
        ("{{ UnsubscribeURL }}",),
        ("email.html", "email.txt", "campaign.json"),
    ),
    "buttondown": Service(
        "buttondown",
        Links("{{ unsubscribe_url }}", "{{ email.absolute_url }}", None),
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


def prepare(
    service: Service,
    issue: Issue,
    settings: Settings,
    theme: Theme,
    slug: str,
    *,
    utm: bool = True,
) -> Rendition:
    """The issue rendered for `service`: its merge tags, UTM parameters, and checked for the
    tags the service requires (a UserError names what is missing)."""
    links = service.links or settings_links(settings, slug)
    if service.name == "mailchimp" and settings.export.mailchimp_preview_text and issue.preheader:
        issue = issue.model_copy(update={"preheader": "*|MC_PREVIEW_TEXT|*"})
    rendition = render(issue, settings, theme, links)
    if utm:
        rendition = tag_rendition(rendition, issue, settings, slug)
    missing = [tag for tag in service.required if tag not in rendition.html]
    if missing:
        raise UserError(
            f"{service.name} needs {' and '.join(missing)} in the email, and the theme's HTML "
            "has none: give the footer an unsubscribe link (links.unsubscribe)"
        )
    return rendition


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


def export_files(
    service: Service,
    issue: Issue,
    settings: Settings,
    theme: Theme,
    slug: str,
    *,
    utm: bool,
    now: dt.datetime,
) -> dict[str, bytes]:
    """The files `service` needs for the issue, by name."""
    from newsletter.message import compose

    rendition = prepare(service, issue, settings, theme, slug, utm=utm)
    if service.name == "eml":
        message = compose(
            rendition,
            settings,
            now=now,
            unsubscribe=settings.links.unsubscribe,
            one_click=settings.links.one_click,
        )
        return {"email.eml": message.as_bytes()}
    files = {"email.html": rendition.html.encode()}
    if "email.txt" in service.files:
        files["email.txt"] = rendition.text.encode()
    if "campaign.json" in service.files:
        files["campaign.json"] = campaign(rendition, issue, settings).encode()
    return files
