"""Markdown written by people (campaign notes) turned into HTML that is safe to put on a page."""

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML is off at the parser, and nh3 still cleans the output: a parser bug must not become an XSS.
_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["strikethrough", "table"]
)
ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Every character Markdown gives a meaning to, in CommonMark and the extensions enabled above (a backslash shows
# any ASCII punctuation literally; these are the ones that can start a link, a heading, a list, emphasis…).
_SPECIAL = re.compile(r"([\\`*_\[\]()<>#+\-.!|~&])")


def render_markdown(text: str | None) -> Markup:
    """Render Markdown to sanitised HTML: no raw HTML, no images, links only to http(s) and mailto."""
    if not text:
        return Markup("")
    html = _parser.render(text)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # noqa: S704 - sanitised by nh3 just above


def escape_markdown(text: str) -> str:
    """The text with Markdown's special characters escaped, so that it renders as itself: for names people chose
    (a character called "# Big", a display name that looks like a link) placed in Markdown written for them."""
    return _SPECIAL.sub(r"\\\1", text)
