"""Homebrew entries raced on the real PostgreSQL: twenty requests at once, answered as one after another would be."""

import pytest
import sqlalchemy as sa

from tests.support import at_once, signed_in_clients, slowed
from webapp.extensions import db
from webapp.models import Skill
from webapp.services import access
from webapp.services.compendium import editing

pytestmark = pytest.mark.committing  # requests race in threads, each on a connection of its own

CROWD = 20


@pytest.fixture
def slow_checks(monkeypatch):
    """Every permission check (made right after a row is read) takes a little longer, widening the window in
    which requests that do not wait for each other would overlap."""
    slow_check = slowed(access.check)
    monkeypatch.setattr(access, "check", slow_check)
    monkeypatch.setattr(access.content, "check", slow_check)  # the one `access.load` calls


def statuses(answers) -> list[int]:
    return sorted(status for status, _ in answers)


def test_twenty_skills_created_at_once_with_one_name_make_one_and_refuse_the_rest(app, postgres, make, monkeypatch):
    monkeypatch.setattr(editing, "_name_taken", slowed(editing._name_taken))  # between the check and the write
    author = make.user()
    # Names are unique per owner ignoring case: each asks for the name in another case.
    names = ["Stonecunning", "stonecunning", "STONECUNNING", "StoneCunning"]

    answers = at_once(
        signed_in_clients(app, author, CROWD),
        lambda client, n: client.post("/api/v1/skills", json={"name": names[n % len(names)]}),
    )

    assert statuses(answers) == [201] + [409] * (CROWD - 1)
    refusals = {body["errors"][0]["message"].lower() for status, body in answers if status == 409}
    assert refusals == {"you already have a skill called “stonecunning”. choose another name."}
    made = db.session.scalars(sa.select(Skill.id).where(sa.func.lower(Skill.name) == "stonecunning"))
    assert len(made.all()) == 1


def test_twenty_parallel_deletes_of_one_entry_answer_one_204_and_the_rest_404(app, postgres, make, slow_checks):
    author = make.user()
    skill_id = make.skill(owner_id=author.id, name="Stonecunning").id
    url = f"/api/v1/skills/{skill_id}"

    answers = at_once(signed_in_clients(app, author, CROWD), lambda client, _: client.delete(url))

    assert statuses(answers) == [204] + [404] * (CROWD - 1)
    assert db.session.scalar(sa.select(Skill.id).where(Skill.id == skill_id)) is None


def test_twenty_parallel_entry_changes_sent_with_one_etag_save_one_and_answer_412_to_the_rest(
    app, postgres, make, slow_checks
):
    author = make.user()
    skill = make.skill(owner_id=author.id, name="Stonecunning")
    url = f"/api/v1/skills/{skill.id}"
    clients = signed_in_clients(app, author, CROWD)
    etag = clients[0].get(url).headers["ETag"]

    answers = at_once(
        clients,
        lambda client, n: client.patch(url, json={"description": f"Version {n}"}, headers={"If-Match": etag}),
    )

    assert statuses(answers) == [200] + [412] * (CROWD - 1)
    saved = next(body for status, body in answers if status == 200)
    db.session.expire_all()
    assert db.session.get(Skill, skill.id).description == saved["description"]
