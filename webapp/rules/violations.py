"""Rule violations: the field a refusal belongs to and a sentence a player understands."""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    field: str
    message: str


class RuleViolation(Exception):
    """A change the rules refuse; holds one or more violations, the first also as .field / .message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.violations = [Violation(field, message)]

    @classmethod
    def many(cls, violations: Sequence[Violation]) -> "RuleViolation":
        """Return one exception holding all violations; raises ValueError when there are none."""
        if not violations:
            raise ValueError("RuleViolation.many needs at least one violation")
        error = cls(violations[0].field, violations[0].message)
        error.violations = list(violations)
        return error

    @classmethod
    def raise_if_any(cls, violations: Sequence[Violation]) -> None:
        """Raise RuleViolation holding the violations, if there are any; otherwise return None."""
        if violations:
            raise cls.many(violations)

    @property
    def field(self) -> str:
        return self.violations[0].field

    @property
    def message(self) -> str:
        return self.violations[0].message

    def __str__(self) -> str:
        return "; ".join(violation.message for violation in self.violations)
