"""Notes are Markdown, rendered without raw HTML, scripts, images or dangerous links; names people chose show in
the log as written, never as Markdown."""

import html
import re

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.markdown import escape_markdown, render_markdown
from webapp.models import CampaignEvent, EventKind, User
from webapp.services import campaigns
from webapp.services.campaigns import awards

PHISHING = "[Verify your account](https://phish.example/login)"
MARKUP = re.compile(r"<(?!/?p>)[^>]+>")  # any tag but the paragraph a line of text renders in


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


def shown(markdown: str) -> str:
    """What a reader sees of rendered Markdown: the text, its tags dropped and its entities read."""
    return html.unescape(re.sub(r"<[^>]+>", "", str(render_markdown(markdown)))).strip()


@pytest.mark.parametrize(
    "name",
    [
        PHISHING,
        "# Big",
        "1. Rope",
        "- Dash",
        "> Quote",
        "**Bold** _it_ `code` ~~gone~~ | pipe",
        "<https://auto.example> &amp; &copy;",
        "![pixel](https://tracker.example/p.gif)",
        "Back\\slash \\",
        "St. Ives-on-Sea (the 2nd) #1 +3!",
    ],
)
def test_an_escaped_name_renders_as_itself_and_as_nothing_else(name):
    rendered = str(render_markdown(escape_markdown(name) + " joined."))
    assert not MARKUP.search(rendered), rendered
    assert shown(escape_markdown(name) + " joined.") == f"{name} joined."


def test_names_in_the_log_show_as_written_in_every_entry_built_from_them(make):
    gm = make.user(display_name="**Greta** the GM")
    orc = make.race(name="# Orc")
    elf = make.race(name="_Elf_")
    rules = {"allowed_race_ids": [str(elf.id)]}
    campaign = campaigns.create_campaign(gm, campaigns.CampaignCreate.read({"name": "Keep", "rules": rules}))
    campaigns.update_campaign(gm, campaign.id, campaigns.CampaignPatch.read({"name": "[Keep](https://x.example)"}))
    player = make.user(display_name=PHISHING)
    hero = make.character(owner=player, name="# Big", race=orc)
    rope = make.item(name="`Rope` <https://rope.example>")
    membership = campaigns.request_join(player, campaign.invite_code, hero.id)
    campaigns.approve_membership(gm, campaign.id, membership.id, accept_violations=True)
    award = {"experience": 50, "item_id": str(rope.id), "character_ids": [str(hero.id)], "reason": "for **luck**"}
    awards.award(gm, campaign.id, awards.AwardBody.read(award))
    campaigns.remove_membership(db.session.get(User, player.id), campaign.id, membership.id)
    log = db.session.execute(sa.select(CampaignEvent).order_by(CampaignEvent.id)).scalars().all()
    seen = {event.kind: shown(event.body) for event in log}
    assert seen[EventKind.CREATED] == "**Greta** the GM opened the campaign."
    assert seen[EventKind.RULES_CHANGED] == "Name: Keep → [Keep](https://x.example)."
    assert seen[EventKind.JOIN_REQUESTED] == f"# Big ({PHISHING}) asked to join."
    assert seen[EventKind.JOINED].startswith("# Big joined the party, approved despite the campaign's rules: # Orc")
    assert seen[EventKind.XP_AWARD] == "# Big earned 50 XP for luck."  # the GM's own words stay Markdown
    assert seen[EventKind.ITEM_GRANT] == "# Big received 1 × `Rope` <https://rope.example> for luck."
    assert seen[EventKind.LEFT] == "# Big left."
    for event in log:
        gm_words = {"<strong>", "</strong>"} if event.kind in {EventKind.XP_AWARD, EventKind.ITEM_GRANT} else set()
        assert set(MARKUP.findall(str(render_markdown(event.body)))) <= gm_words


def test_the_gm_reads_a_players_link_like_name_as_text_on_the_dashboard(client, auth, make, htmx):
    gm = make.user()
    campaign = make.campaign(owner=gm)
    player = make.user(display_name=PHISHING)
    hero = make.character(owner=player, name="# Big")
    campaigns.request_join(player, campaign.invite_code, hero.id)
    auth.login(gm)
    log = client.get(f"/campaigns/{campaign.id}/log", headers=htmx).get_data(as_text=True)
    assert "phish.example/login</a>" not in log and 'href="https://phish.example' not in log
    assert "<h1>" not in log and f"<p># Big ({PHISHING}) asked to join.</p>" in log
