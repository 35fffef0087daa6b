"""The MJML elements and attributes that official MJML 4/5 accepts, for validating templates."""

# Attribute names are each component's `allowedAttributes` in the published builds of
# mjml 4.18.0 and 5.4.1 (the latest of each major), united so that either version's
# templates validate; an attribute that only one major accepts says so above its element.

# mjml-validator whitelists these on every element, on top of its `allowedAttributes`.
GLOBAL_ATTRIBUTES: frozenset[str] = frozenset({"css-class", "mj-class"})


def _names(words: str) -> frozenset[str]:
    """The attribute names in `words`, separated by spaces."""
    return frozenset(words.split())


ELEMENTS: dict[str, frozenset[str]] = {
    # Read by mjml-core from the root element; it has no component class.
    "mjml": _names("dir lang owa"),
    "mj-head": _names(""),
    "mj-attributes": _names(""),
    "mj-all": _names(""),
    "mj-class": _names("name"),
    "mj-breakpoint": _names("width"),
    "mj-font": _names("href name"),
    "mj-html-attributes": _names(""),
    # Read by mj-html-attributes' handler; not a component class.
    "mj-selector": _names("path"),
    # Read by mj-html-attributes' handler; not a component class.
    "mj-html-attribute": _names("name"),
    "mj-preview": _names(""),
    "mj-style": _names("inline"),
    "mj-title": _names(""),
    # Resolved by mjml-parser-xml before validation; not a component class.
    "mj-include": _names("css-inline path type"),
    # id: MJML 5 only.
    "mj-body": _names("background-color id width"),
    # gutter: MJML 5 only.
    "mj-wrapper": _names(
        "background-color background-position background-position-x background-position-y "
        "background-repeat background-size background-url border border-bottom border-left "
        "border-radius border-right border-top direction full-width gap gutter padding "
        "padding-bottom padding-left padding-right padding-top text-align text-padding"
    ),
    # gutter: MJML 5 only.
    "mj-section": _names(
        "background-color background-position background-position-x background-position-y "
        "background-repeat background-size background-url border border-bottom border-left "
        "border-radius border-right border-top direction full-width gutter padding padding-bottom "
        "padding-left padding-right padding-top text-align text-padding"
    ),
    "mj-group": _names("background-color direction vertical-align width"),
    "mj-column": _names(
        "background-color border border-bottom border-left border-radius border-right border-top "
        "direction inner-background-color inner-border inner-border-bottom inner-border-left "
        "inner-border-radius inner-border-right inner-border-top padding padding-bottom "
        "padding-left padding-right padding-top vertical-align width"
    ),
    # container-background-color: MJML 4 only: dropped in MJML 5.
    "mj-hero": _names(
        "background-color background-height background-position background-url background-width "
        "border-radius container-background-color height inner-background-color inner-padding "
        "inner-padding-bottom inner-padding-left inner-padding-right inner-padding-top mode "
        "padding padding-bottom padding-left padding-right padding-top vertical-align"
    ),
    "mj-text": _names(
        "align background-color color container-background-color font-family font-size font-style "
        "font-weight height letter-spacing line-height padding padding-bottom padding-left "
        "padding-right padding-top text-decoration text-transform vertical-align"
    ),
    "mj-button": _names(
        "align background-color border border-bottom border-left border-radius border-right "
        "border-top color container-background-color font-family font-size font-style font-weight "
        "height href inner-padding letter-spacing line-height name padding padding-bottom "
        "padding-left padding-right padding-top rel target text-align text-decoration "
        "text-transform title vertical-align width"
    ),
    "mj-image": _names(
        "align alt border border-bottom border-left border-radius border-right border-top "
        "container-background-color fluid-on-mobile font-size height href max-height name padding "
        "padding-bottom padding-left padding-right padding-top rel sizes src srcset target title "
        "usemap width"
    ),
    "mj-divider": _names(
        "align border-color border-style border-width container-background-color padding "
        "padding-bottom padding-left padding-right padding-top width"
    ),
    "mj-spacer": _names(
        "border border-bottom border-left border-right border-top container-background-color "
        "height padding padding-bottom padding-left padding-right padding-top"
    ),
    "mj-table": _names(
        "align border cellpadding cellspacing color container-background-color font-family "
        "font-size font-weight line-height padding padding-bottom padding-left padding-right "
        "padding-top role table-layout vertical-align width"
    ),
    "mj-raw": _names("position"),
    # border: MJML 5 only.
    "mj-social": _names(
        "align border border-radius color container-background-color font-family font-size "
        "font-style font-weight icon-height icon-padding icon-size inner-padding line-height mode "
        "padding padding-bottom padding-left padding-right padding-top table-layout "
        "text-decoration text-padding vertical-align"
    ),
    # border: MJML 5 only.
    "mj-social-element": _names(
        "align alt background-color border border-radius color font-family font-size font-style "
        "font-weight href icon-height icon-padding icon-position icon-size line-height name "
        "padding padding-bottom padding-left padding-right padding-top rel sizes src srcset "
        "target text-decoration text-padding title vertical-align"
    ),
    "mj-navbar": _names(
        "align base-url hamburger ico-align ico-close ico-color ico-font-family ico-font-size "
        "ico-line-height ico-open ico-padding ico-padding-bottom ico-padding-left "
        "ico-padding-right ico-padding-top ico-text-decoration ico-text-transform padding "
        "padding-bottom padding-left padding-right padding-top"
    ),
    "mj-navbar-link": _names(
        "color font-family font-size font-style font-weight href letter-spacing line-height name "
        "padding padding-bottom padding-left padding-right padding-top rel target text-decoration "
        "text-transform"
    ),
    "mj-accordion": _names(
        "border container-background-color font-family icon-align icon-height icon-position "
        "icon-unwrapped-alt icon-unwrapped-url icon-width icon-wrapped-alt icon-wrapped-url "
        "padding padding-bottom padding-left padding-right padding-top"
    ),
    "mj-accordion-element": _names(
        "background-color border font-family icon-align icon-height icon-position "
        "icon-unwrapped-alt icon-unwrapped-url icon-width icon-wrapped-alt icon-wrapped-url"
    ),
    "mj-accordion-title": _names(
        "background-color color font-family font-size font-weight padding padding-bottom "
        "padding-left padding-right padding-top"
    ),
    "mj-accordion-text": _names(
        "background-color color font-family font-size font-weight letter-spacing line-height "
        "padding padding-bottom padding-left padding-right padding-top"
    ),
    "mj-carousel": _names(
        "align border-radius container-background-color icon-width left-icon padding "
        "padding-bottom padding-left padding-right padding-top right-icon tb-border "
        "tb-border-radius tb-hover-border-color tb-selected-border-color tb-width thumbnails"
    ),
    "mj-carousel-image": _names(
        "alt border-radius href rel src target tb-border tb-border-radius thumbnails-src title"
    ),
}

# mj-all sets defaults for every element and mj-class bundles any attributes under its
# `name`, so neither can be checked against a fixed list.
ANY_ATTRIBUTES: frozenset[str] = frozenset({"mj-all", "mj-class"})

# Elements whose content is raw HTML (ending tags): their children are not MJML elements.
ENDING_TAGS: frozenset[str] = frozenset(
    {
        "mj-accordion-text",
        "mj-accordion-title",
        "mj-breakpoint",
        "mj-button",
        "mj-carousel-image",
        "mj-navbar-link",
        "mj-preview",
        "mj-raw",
        "mj-social-element",
        "mj-style",
        "mj-table",
        "mj-text",
        "mj-title",
    }
)
