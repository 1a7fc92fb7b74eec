"""Placeholder portraits: deterministic, valid, self-contained SVG for anything without an image."""

import re
import xml.etree.ElementTree as ET

import pytest

from webapp.placeholders import initials_for, portrait_svg

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - the SVG is our own output, not untrusted input


def colours(svg: str) -> list[str]:
    return re.findall(r'stop-color="(#[0-9a-f]{6})"', svg)


def test_same_race_archetype_and_initials_always_give_the_same_portrait():
    assert portrait_svg("Elf", "Ranger", "BB") == portrait_svg("Elf", "Ranger", "BB")


def test_race_picks_the_background():
    elf, dwarf = portrait_svg("Elf", "Ranger", "BB"), portrait_svg("Dwarf", "Ranger", "BB")

    assert colours(elf) != colours(dwarf)


def test_archetype_picks_the_emblem_colour():
    emblem = re.compile(r'stroke="(#[0-9a-f]{6})" stroke-width="[35]"')

    found = {emblem.search(portrait_svg("Elf", name, "BB")).group(1) for name in ("Ranger", "Mage", "Cleric")}

    assert len(found) > 1


@pytest.mark.parametrize("race, archetype", [("Elf", "Ranger"), (None, None), ("Half-Orc", None), ("", "Bard")])
def test_portrait_is_a_well_formed_svg_document(race, archetype):
    root = parse(portrait_svg(race, archetype, "AB", size=128))

    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("128", "128", "0 0 100 100")
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text.startswith("Placeholder portrait")
    assert root.find(f"{SVG}text").text == "AB"


def test_initials_are_escaped():
    svg = portrait_svg("Elf", "Ranger", "<b&")

    assert "<b&" not in svg
    assert parse(svg).find(f"{SVG}text").text == "<b&"


def test_race_and_archetype_names_are_escaped_in_the_label():
    root = parse(portrait_svg('Elf" onload="alert(1)', "<script>", "X"))

    assert root.get("onload") is None
    assert root.find(f"{SVG}script") is None
    assert root.get("aria-label") == 'Placeholder portrait Elf" onload="alert(1) <script>'


def test_portrait_refers_to_nothing_outside_itself():
    svg = portrait_svg("Elf", "Ranger", "BB")
    without_namespace = svg.replace('xmlns="http://www.w3.org/2000/svg"', "")

    assert not re.search(r"https?:|href|<script|<image|style=|@import|<foreignObject", without_namespace)
    assert re.findall(r"url\((#[^)]+)\)", svg) == ["#" + parse(svg).find(f".//{SVG}linearGradient").get("id")]


def test_long_initials_are_cut_to_three_and_empty_ones_show_a_question_mark():
    assert parse(portrait_svg("Elf", "Ranger", "ABCDE")).find(f"{SVG}text").text == "ABC"
    assert parse(portrait_svg("Elf", "Ranger", "  ")).find(f"{SVG}text").text == "?"


@pytest.mark.parametrize(
    "name, initials",
    [("Brannoc the Bold", "BB"), ("Ysolde", "Y"), ("  élodie  moreau ", "ÉM"), ("", "?"), ("--- ***", "?")],
)
def test_initials_come_from_the_first_and_last_word(name, initials):
    assert initials_for(name) == initials
