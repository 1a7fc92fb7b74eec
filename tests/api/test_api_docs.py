"""docs/api.md's examples are executed: each request is sent, in the order the page shows them, and each answer must
be what the page says.

In an example, `<name>` stands for a value: in an answer it is captured the first time it appears (an id, an
ETag) and must be equal every time after; in a request it is replaced by what was captured. "…" in an answer
matches any value; a key "…" lets an object hold more keys than shown, and a last element "…" lets a list hold
more elements."""

import json
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"^```http\n(.*?)^```$", re.M | re.S)
PLACEHOLDER = re.compile(r"<([a-z_]+)>")
ANY = "…"


def examples() -> list[tuple[str, str]]:
    """(request, answer) pairs, in the page's order."""
    blocks = BLOCK.findall(DOCS.read_text())
    pairs = list(zip(blocks[::2], blocks[1::2], strict=True))
    for request, answer in pairs:
        assert not request.startswith("HTTP/"), request
        assert answer.startswith("HTTP/1.1 "), answer
    return pairs


def _split(block: str) -> tuple[str, dict, str]:
    head, _, body = block.partition("\n\n")
    first, *lines = head.splitlines()
    headers = dict(line.split(": ", 1) for line in lines)
    return first, headers, body.strip()


class Journey:
    def __init__(self, client) -> None:
        self.client = client
        self.values: dict[str, str] = {}

    def fill(self, text: str) -> str:
        return PLACEHOLDER.sub(lambda match: self.values[match[1]], text)

    def send(self, block: str):
        first, headers, body = _split(self.fill(block))
        method, target, _ = first.split(" ")
        return self.client.open(target, method=method, headers=headers, data=body or None)

    def expect(self, block: str, response, where: str) -> None:
        first, headers, body = _split(block)
        status = int(first.split(" ")[1])
        assert response.status_code == status, f"{where}: {response.status_code} {response.get_data(as_text=True)}"
        for name, value in headers.items():
            self.match(value, response.headers.get(name), f"{where} header {name}")
        if body:
            self.match(json.loads(body), response.get_json(), where)
        else:
            assert not response.get_data(), f"{where}: the page shows no body"

    def _match_text(self, shown: str, actual, where: str) -> None:
        """Text with placeholders: known ones must be as before, new ones are captured."""
        assert actual is not None, f"{where}: missing"
        parts, names, position = [], [], 0
        for found in PLACEHOLDER.finditer(shown):
            parts.append(re.escape(shown[position : found.start()]))
            name = found[1]
            parts.append(re.escape(self.values[name]) if name in self.values else "(.+?)")
            names += [] if name in self.values else [name]
            position = found.end()
        parts.append(re.escape(shown[position:]))
        matched = re.fullmatch("".join(parts), str(actual))
        assert matched, f"{where}: the page says {shown!r} ({self.values}), the API answered {actual!r}"
        self.values.update(zip(names, matched.groups(), strict=True))

    def match(self, shown, actual, where: str) -> None:
        if shown == ANY:
            return
        if isinstance(shown, str) and PLACEHOLDER.search(shown):
            self._match_text(shown, actual, where)
            return
        if isinstance(shown, dict):
            assert isinstance(actual, dict), f"{where}: not an object: {actual!r}"
            keys = set(shown) - {ANY}
            if ANY not in shown:
                assert set(actual) == keys, f"{where}: keys {sorted(set(actual) ^ keys)} differ from the page"
            for key in keys:
                assert key in actual, f"{where}: no {key}"
                self.match(shown[key], actual[key], f"{where}.{key}")
            return
        if isinstance(shown, list):
            assert isinstance(actual, list), f"{where}: not a list: {actual!r}"
            items = shown[:-1] if shown and shown[-1] == ANY else shown
            if len(items) == len(shown):
                assert len(actual) == len(items), f"{where}: {len(actual)} elements, the page shows {len(items)}"
            assert len(actual) >= len(items), f"{where}: fewer elements than the page shows"
            for index, item in enumerate(items):
                self.match(item, actual[index], f"{where}[{index}]")
            return
        assert shown == actual, f"{where}: the page says {shown!r}, the API answered {actual!r}"


def test_the_page_has_a_section_with_an_example_for_every_resource():
    text = DOCS.read_text()
    sections = re.split(r"^### ", text, flags=re.M)[1:]
    titled = {section.splitlines()[0]: section for section in sections}
    for title in ("Sign-in", "Personal tokens", "Users", "Compendium", "Characters", "Inventory and equipment",
                  "Campaigns", "Images"):  # fmt: skip
        assert title in titled, f"no section {title}"
        assert "```http" in titled[title], f"the section {title} shows no example"


def test_every_example_on_the_page_is_what_the_api_answers(client, make):
    make.reference()
    journey = Journey(client)
    pairs = examples()
    assert len(pairs) >= 15
    for number, (request, answer) in enumerate(pairs, start=1):
        where = f"example {number} ({request.splitlines()[0]})"
        journey.expect(answer, journey.send(request), where)


@pytest.mark.parametrize(
    ("shown", "actual", "passes"),
    [
        ({"a": 1, "b": ANY}, {"a": 1, "b": [2]}, True),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ({"a": 1, ANY: ANY}, {"a": 1, "b": 2}, True),
        ([1, ANY], [1, 2, 3], True),
        ([1], [1, 2], False),
        ({"id": "<hero_id>"}, {"id": "x"}, True),
        ({"a": 2}, {"a": 1}, False),
    ],
)
def test_the_matcher_itself_can_fail(shown, actual, passes):
    journey = Journey(client=None)
    try:
        journey.match(shown, actual, "here")
    except AssertionError:
        assert not passes
    else:
        assert passes
