"""One image deleted by twenty requests at once on the real PostgreSQL: one deletes it, the others find nothing."""

import pytest
import sqlalchemy as sa

from tests.images.samples import picture
from tests.support import at_once, signed_in_clients, slow_reads
from webapp.extensions import db
from webapp.models import Image, Visibility
from webapp.services.images import create_image

pytestmark = pytest.mark.committing  # requests race in threads, each on a connection of its own

CROWD = 20


def test_twenty_parallel_deletes_of_one_image_answer_one_204_and_the_rest_404(app, postgres, make):
    owner = make.user()
    image_id = create_image(owner, picture(64, 64), visibility=Visibility.PRIVATE).id
    url = f"/api/v1/images/{image_id}"
    clients = signed_in_clients(app, owner, CROWD)

    with slow_reads(Image):
        answers = at_once(clients, lambda client, _: client.delete(url))

    assert sorted(status for status, _ in answers) == [204] + [404] * (CROWD - 1)
    assert db.session.scalar(sa.select(Image.id).where(Image.id == image_id)) is None
