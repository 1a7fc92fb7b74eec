"""htmx_form, the form every htmx page posts: its URL written once for browsers and htmx, its CSRF token, its
other attributes from keywords, every value escaped."""

import re

from flask import render_template_string


def _form(app, call: str, body: str = "<button>Go</button>", **context) -> str:
    with app.test_request_context("/"):
        return render_template_string("{% call " + call + " %}" + body + "{% endcall %}", **context)


def test_the_url_is_both_the_action_and_hx_post_with_the_sessions_csrf_token_and_the_body_inside(app):
    html = _form(app, "htmx_form('/characters/1/rolls', target='#dice', css='inline-form', id='roll')")

    assert html.startswith(
        '<form id="roll" class="inline-form" method="post" action="/characters/1/rolls" '
        'hx-post="/characters/1/rolls" hx-target="#dice" hx-swap="outerHTML">'
    )
    assert re.search(r'<input name="csrf_token" type="hidden" value="[^"<>]{20,}">', html)
    assert html.endswith("<button>Go</button>\n</form>")


def test_keywords_become_attributes_with_dashes_true_bare_and_none_or_false_left_out(app):
    html = _form(
        app,
        "htmx_form('/x', hx_disabled_elt='find button', novalidate=True, hx_confirm=None, hx_indicator=False)",
    )

    assert ' hx-disabled-elt="find button" novalidate>' in html
    assert "hx-confirm" not in html and "hx-indicator" not in html and "hx-target" not in html


def test_every_value_is_escaped_and_the_body_is_written_as_the_template_escaped_it(app):
    html = _form(
        app,
        "htmx_form(url, hx_confirm=question, css=css)",
        body="{{ name }}",
        url='/a?b=1&c="2"',
        question='Drop "<Axe>" & go?',
        css='x" onclick="evil()',
        name="<script>alert(1)</script>",
    )

    assert 'action="/a?b=1&amp;c=&#34;2&#34;"' in html
    assert 'hx-confirm="Drop &#34;&lt;Axe&gt;&#34; &amp; go?"' in html
    assert 'class="x&#34; onclick=&#34;evil()"' in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
