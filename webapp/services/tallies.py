"""What a count over a list names: one entry, as the actor may see it, and how many it has."""

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Tally:
    """An entry (a race, an item) by id and shown name, and how many characters or uses it counts."""

    id: uuid.UUID
    name: str
    count: int
