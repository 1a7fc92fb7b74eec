"""A refused request leaves nothing behind for a later commit, and a clash with a concurrent write answers 409."""

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import RequestEntityTooLarge

from webapp.api.responses import PreconditionFailed
from webapp.extensions import db
from webapp.models import Character
from webapp.services.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation, Violation

REFUSALS = [
    pytest.param(lambda: NotFound("No such character."), 404, id="not-found"),
    pytest.param(lambda: Forbidden("You can't edit this character."), 403, id="forbidden"),
    pytest.param(lambda: Conflict("Leave the campaign first."), 409, id="conflict"),
    pytest.param(lambda: InvalidInput([Violation("name", "Too long")]), 422, id="invalid-input"),
    pytest.param(lambda: PreconditionFailed("Changed meanwhile."), 412, id="precondition"),
    pytest.param(lambda: RuleViolation("amount", "Needs level 5; Brannoc is level 3"), 422, id="rule-violation"),
    pytest.param(RequestEntityTooLarge, 413, id="http-error"),
    # A row another request deleted between this one's read and its write (tests/api/test_deleted_meanwhile.py).
    pytest.param(lambda: StaleDataError("expected to update 1 row(s); 0 were matched"), 404, id="deleted-meanwhile"),
]


@pytest.mark.parametrize("path", ["/api/v1/characters", "/characters"], ids=["api", "page"])
@pytest.mark.parametrize("refusal, status", REFUSALS)
def test_a_refused_request_leaves_no_change_for_a_later_commit(app, make, path, refusal, status):
    hero = make.character(name="Brannoc")
    with app.test_request_context(path, method="POST"):
        hero.name = "Half-renamed"  # what a service changed before its check refused
        response = app.handle_user_exception(refusal())
        db.session.commit()  # anything later in the request that commits
    assert response.status_code == status
    db.session.expire_all()
    assert db.session.get(Character, hero.id).name == "Brannoc"


def _clash(make) -> IntegrityError:
    """A real unique violation: a second character of the same name for the same owner."""
    first = make.character(name="Brannoc")
    db.session.add(
        Character(owner_id=first.owner_id, name="Brannoc", race_id=first.race_id, archetype_id=first.archetype_id)
    )
    try:
        db.session.flush()
    except IntegrityError as error:
        return error
    raise AssertionError("the database let an owner have two characters of one name")


def test_a_constraint_violation_no_service_answered_is_a_409_problem_not_a_500(app, make):
    with app.test_request_context("/api/v1/characters", method="POST"):
        response = app.handle_user_exception(_clash(make))
        body = response.get_json()
        assert db.session.execute(db.select(Character.id)).first() is not None  # the session works again
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert (body["code"], body["status"]) == ("conflict", 409)
    assert "same moment" in body["detail"]


def test_a_constraint_violation_on_a_page_is_the_friendly_409_page(app, make):
    with app.test_request_context("/characters/new/review", method="POST"):
        response = app.handle_user_exception(_clash(make))
    assert response.status_code == 409
    assert response.mimetype == "text/html"
    assert "same moment" in response.get_data(as_text=True)
