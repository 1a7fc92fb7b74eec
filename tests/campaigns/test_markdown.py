"""Notes are Markdown, rendered without raw HTML, scripts, images or dangerous links."""

import re

import pytest

from webapp.markdown import render_markdown


def test_markdown_renders_emphasis_lists_and_safe_links():
    html = render_markdown("**Next:** the *harbour*\n\n- rope\n- lantern\n\n[map](https://example.com/map)")
    assert "<strong>Next:</strong>" in html and "<em>harbour</em>" in html
    assert "<li>rope</li>" in html
    assert '<a href="https://example.com/map" rel="noopener noreferrer nofollow">map</a>' in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "![pixel](https://tracker.example/p.gif)",
        '<a href="https://x" onclick="alert(1)">x</a>',
    ],
)
def test_markdown_never_lets_html_scripts_or_images_through(text):
    html = str(render_markdown(text))
    assert "<script" not in html and "<img" not in html
    assert not re.search(r"<[^>]*\son\w+=", html)  # no event handler inside any tag (escaped text is fine)
    assert 'href="javascript' not in html


def test_empty_notes_render_as_nothing():
    assert render_markdown("") == "" and render_markdown(None) == ""
