"""Twenty requests changing one character at the same moment, on the real PostgreSQL: each is answered as if it had
come alone, because the character's row is locked before what the change is checked against is read."""

import pytest
import sqlalchemy as sa

from tests.support import at_once, deleted_right_after_the_change, signed_in_clients, slowed
from webapp.extensions import db
from webapp.models import Character
from webapp.models.character import character_perks, character_skills
from webapp.services import access

pytestmark = pytest.mark.committing  # requests race in threads, each on a connection of its own

CROWD = 20


@pytest.fixture
def slow_checks(monkeypatch):
    """Every permission check (made right after a row is read) takes a little longer, widening the window in
    which requests that do not wait for each other would overlap."""
    slow_check = slowed(access.check)
    monkeypatch.setattr(access, "check", slow_check)
    monkeypatch.setattr(access.content, "check", slow_check)  # the one `access.load` calls


@pytest.fixture
def owner(make):
    return make.user(display_name="Brannoc's player")


def fresh(character: Character) -> Character:
    db.session.expire_all()
    return db.session.get(Character, character.id)


def statuses(answers) -> list[int]:
    return sorted(status for status, _ in answers)


def test_twenty_parallel_awards_of_ten_experience_add_up_to_two_hundred(app, postgres, make, owner, slow_checks):
    hero = make.character(owner=owner, name="Brannoc")
    url = f"/api/v1/characters/{hero.id}/experience"

    answers = at_once(signed_in_clients(app, owner, CROWD), lambda client, _: client.post(url, json={"amount": 10}))

    assert statuses(answers) == [200] * CROWD
    assert (fresh(hero).experience, fresh(hero).level) == (200, 2)
    assert sorted(body["experience"] for _, body in answers) == list(range(10, 210, 10))


def test_twenty_parallel_experience_forms_on_the_sheet_add_up_to_two_hundred(app, postgres, make, owner, slow_checks):
    # The page reads the character (for its level before) before the service locks it: the lock must read afresh.
    hero = make.character(owner=owner, name="Brannoc")
    url = f"/characters/{hero.id}/experience"

    answers = at_once(signed_in_clients(app, owner, CROWD), lambda client, _: client.post(url, data={"amount": "10"}))

    assert statuses(answers) == [303] * CROWD
    assert fresh(hero).experience == 200


def test_twenty_parallel_perks_for_one_free_slot_give_one_perk_and_refuse_the_rest(
    app, postgres, make, owner, slow_checks
):
    hero = make.character(owner=owner, name="Brannoc")  # level 1: one perk
    perk_ids = [str(make.perk(name=f"Perk {n:02}").id) for n in range(CROWD)]
    url = f"/api/v1/characters/{hero.id}/perks"

    answers = at_once(
        signed_in_clients(app, owner, CROWD), lambda client, n: client.post(url, json={"perk_id": perk_ids[n]})
    )

    assert statuses(answers) == [201] + [422] * (CROWD - 1)
    refusals = {body["errors"][0]["message"] for status, body in answers if status == 422}
    assert refusals == {"Brannoc already has the 1 perk allowed at level 1"}
    taken = db.session.scalars(sa.select(character_perks.c.perk_id).where(character_perks.c.character_id == hero.id))
    assert len(taken.all()) == 1


def test_twenty_parallel_lessons_of_one_skill_teach_it_once(app, postgres, make, owner, slow_checks):
    skill = make.skill(name="Stonecunning")
    hero = make.character(owner=owner, name="Brannoc", race=make.race(name="Dwarf", skills=[skill]))
    url, pick = f"/api/v1/characters/{hero.id}/skills", {"skill_id": str(skill.id)}

    answers = at_once(signed_in_clients(app, owner, CROWD), lambda client, _: client.post(url, json=pick))

    assert statuses(answers) == [201] + [422] * (CROWD - 1)
    refused = [body["errors"] for status, body in answers if status == 422]
    assert all(errors == [{"field": "skill_id", "message": "Brannoc already knows Stonecunning"}] for errors in refused)
    known = db.session.scalars(sa.select(character_skills.c.skill_id).where(character_skills.c.character_id == hero.id))
    assert known.all() == [skill.id]


def test_twenty_parallel_deletes_of_one_character_answer_one_204_and_the_rest_404(
    app, postgres, make, owner, slow_checks
):
    hero_id = make.character(owner=owner, name="Brannoc").id
    url = f"/api/v1/characters/{hero_id}"

    answers = at_once(signed_in_clients(app, owner, CROWD), lambda client, _: client.delete(url))

    assert statuses(answers) == [204] + [404] * (CROWD - 1)
    assert db.session.scalar(sa.select(Character.id).where(Character.id == hero_id)) is None


def test_twenty_characters_renamed_to_one_name_at_once_only_one_gets_it(app, postgres, make, owner, slow_checks):
    urls = [f"/api/v1/characters/{make.character(owner=owner, name=f'Nameless {n:02}').id}" for n in range(CROWD)]
    # Names are unique per owner ignoring case, so each asks for the name in another case.
    wanted = ["Brannoc", "brannoc", "BRANNOC", "BrAnNoC"]

    def rename(client, n):
        return client.patch(urls[n], json={"name": wanted[n % len(wanted)]})

    answers = at_once(signed_in_clients(app, owner, CROWD), rename)

    assert statuses(answers) == [200] + [409] * (CROWD - 1)
    refusals = [body["errors"] for status, body in answers if status == 409]
    assert all(errors[0]["field"] == "name" and "You already have a character called" in errors[0]["message"]
               for errors in refusals)  # fmt: skip
    names = db.session.scalars(sa.select(Character.name).where(sa.func.lower(Character.name) == "brannoc"))
    assert len(names.all()) == 1


def test_parallel_score_raises_that_only_fit_the_budget_one_at_a_time_do_not_both_pass(
    app, postgres, make, owner, slow_checks
):
    # 15 14 13 8 12 8 costs 25 of 27: raising intelligence or charisma to 10 fits, raising both does not.
    scores = make.point_buy(charisma=8)
    hero = make.character(owner=owner, name="Brannoc", **scores)
    url = f"/api/v1/characters/{hero.id}"
    raises = [{"intelligence": 10}, {"charisma": 10}]

    answers = at_once(signed_in_clients(app, owner, CROWD), lambda client, n: client.patch(url, json=raises[n % 2]))

    by_raise = [sorted({status for status, _ in answers[side::2]}) for side in (0, 1)]
    assert sorted(by_raise) == [[200], [422]]
    now = fresh(hero)
    assert (now.intelligence, now.charisma) in {(10, 8), (8, 10)}


def test_twenty_parallel_changes_sent_with_one_etag_save_one_and_answer_412_to_the_rest(
    app, postgres, make, owner, slow_checks
):
    hero = make.character(owner=owner, name="Brannoc")
    url = f"/api/v1/characters/{hero.id}"
    clients = signed_in_clients(app, owner, CROWD)
    etag = clients[0].get(url).headers["ETag"]

    def change(client, n):
        return client.patch(url, json={"description": f"Version {n}"}, headers={"If-Match": etag})

    answers = at_once(clients, change)

    assert statuses(answers) == [200] + [412] * (CROWD - 1)
    saved = next(body for status, body in answers if status == 200)
    assert fresh(hero).description == saved["description"]


def test_a_change_answers_with_what_it_wrote_even_when_the_character_is_deleted_right_after(app, owner, make):
    character = make.character(owner=owner, name="Brannoc")
    _, secret = make.personal_token(owner, scope="write")
    path = f"/api/v1/characters/{character.id}"

    with deleted_right_after_the_change(Character, id=character.id):
        [(status, body)] = at_once(
            [app.test_client()],
            lambda client, _n: client.patch(
                path, json={"description": "Scarred."}, headers={"Authorization": f"Bearer {secret}"}
            ),
        )

    assert status == 200, body
    assert body["description"] == "Scarred." and body["name"] == "Brannoc"
