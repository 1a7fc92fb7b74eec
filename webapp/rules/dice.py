"""Dice expressions like "2d20kh1 + 3 - 2": parsing with column-exact messages, and rolling."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from webapp.rules.model import Part
from webapp.rules.violations import RuleViolation

MAX_TEXT = 500
MAX_TERMS = 20
MAX_DICE = 200
MAX_COUNT = 100
MIN_SIDES = 2
MAX_SIDES = 1000
MAX_CONSTANT = 1_000_000
CONSTANT_SOURCE = "Constant"

_DIGITS = "0123456789"
_SIGNS = {"+": 1, "-": -1, "\u2212": -1}
_SPACE = " \t\r\n"
_DICE_EXAMPLE = "a number or dice like 2d6"


@dataclass(frozen=True)
class DiceTerm:
    sign: int  # +1 or -1
    count: int
    sides: int
    keep: str | None = None  # "h" keeps the highest, "l" the lowest
    keep_count: int | None = None

    @property
    def notation(self) -> str:
        """Return "2d20kh1", "1d6": the dice without their sign."""
        kept = f"k{self.keep}{self.keep_count}" if self.keep else ""
        return f"{self.count}d{self.sides}{kept}"


@dataclass(frozen=True)
class ConstantTerm:
    sign: int
    value: int
    source: str = ""  # "DEX modifier", "Poisoned"; empty for a number the player typed


@dataclass(frozen=True)
class Expression:
    terms: tuple[DiceTerm | ConstantTerm, ...]

    @property
    def text(self) -> str:
        """Return the normalised text, "2d20kh1 + 3 - 2", which parse() reads back to the same terms."""
        pieces = []
        for index, term in enumerate(self.terms):
            body = term.notation if isinstance(term, DiceTerm) else str(term.value)
            if index == 0:
                pieces.append(body if term.sign > 0 else f"-{body}")
            else:
                pieces.append(f"{'+' if term.sign > 0 else '-'} {body}")
        return " ".join(pieces)

    @property
    def dice_count(self) -> int:
        """Return how many dice the expression rolls."""
        return sum(term.count for term in self.terms if isinstance(term, DiceTerm))


@dataclass(frozen=True)
class Die:
    value: int
    kept: bool


@dataclass(frozen=True)
class RolledDice:
    notation: str
    sign: int
    dice: tuple[Die, ...]

    @property
    def subtotal(self) -> int:
        """Return the sign times the sum of the kept dice."""
        return self.sign * sum(die.value for die in self.dice if die.kept)

    def to_dict(self) -> dict[str, Any]:
        return {
            "notation": self.notation,
            "sign": self.sign,
            "dice": [{"value": die.value, "kept": die.kept} for die in self.dice],
            "subtotal": self.subtotal,
        }


@dataclass(frozen=True)
class Roll:
    expression: str
    dice: tuple[RolledDice, ...]
    constants: tuple[Part, ...]
    total: int

    def to_dict(self) -> dict[str, Any]:
        """Return the roll as JSON-ready data: every die, kept or dropped, every constant and the total."""
        return {
            "expression": self.expression,
            "dice": [group.to_dict() for group in self.dice],
            "constants": [{"source": part.source, "amount": part.amount} for part in self.constants],
            "total": self.total,
        }


ADVANTAGE = DiceTerm(1, 2, 20, "h", 1)
DISADVANTAGE = DiceTerm(1, 2, 20, "l", 1)
D20 = DiceTerm(1, 1, 20)


def secure_die(sides: int) -> int:
    """Return a number from 1 to sides that neither the player nor the server can predict."""
    return secrets.randbelow(sides) + 1


def roll(expression: Expression, rng: Callable[[int], int] = secure_die) -> Roll:
    """Roll every die with rng(sides); keeps drop the lowest (kh) or highest (kl), ties keeping earlier dice."""
    groups = []
    constants = []
    for term in expression.terms:
        if isinstance(term, DiceTerm):
            values = [_die(rng, term.sides) for _ in range(term.count)]
            kept = _kept(values, term.keep, term.keep_count)
            dice = tuple(Die(value, index in kept) for index, value in enumerate(values))
            groups.append(RolledDice(term.notation, term.sign, dice))
        else:
            constants.append(Part(term.source or CONSTANT_SOURCE, term.sign * term.value))
    total = sum(group.subtotal for group in groups) + sum(part.amount for part in constants)
    return Roll(expression.text, tuple(groups), tuple(constants), total)


def _die(rng: Callable[[int], int], sides: int) -> int:
    value = rng(sides)
    if not 1 <= value <= sides:
        raise ValueError(f"rng({sides}) returned {value}, outside 1 to {sides}")
    return value


def _kept(values: list[int], keep: str | None, keep_count: int | None) -> set[int]:
    """Return the indexes of the dice that count."""
    if keep is None or keep_count is None:
        return set(range(len(values)))
    direction = -1 if keep == "h" else 1
    order = sorted(range(len(values)), key=lambda index: (direction * values[index], index))
    return set(order[:keep_count])


def parse(text: str, field: str = "expression") -> Expression:
    """Read a sum of whole numbers and dice (NdM, NdMkhK, NdMklK); raises RuleViolation naming the column."""
    if not isinstance(text, str):
        raise RuleViolation(field, f"Column 1: expected {_DICE_EXAMPLE}.")
    if len(text) > MAX_TEXT:
        raise RuleViolation(field, f"Use at most {MAX_TEXT} characters.")
    return _Parser(text, field).expression()


class _Parser:
    """A one-pass reader over the text; `at` is the 0-based index of the next character."""

    def __init__(self, text: str, field: str) -> None:
        self.text = text
        self.field = field
        self.at = 0

    def expression(self) -> Expression:
        terms: list[DiceTerm | ConstantTerm] = []
        dice = 0
        self.skip_space()
        sign, after = 1, None
        if self.peek() in _SIGNS:
            sign, after = _SIGNS[self.peek()], self.peek()
            self.at += 1
            self.skip_space()
        while True:
            start = self.at
            term = self.term(after)
            if len(terms) == MAX_TERMS:
                self.fail(start, f"Use at most {MAX_TERMS} terms.")
            if isinstance(term, DiceTerm):
                dice += term.count
                if dice > MAX_DICE:
                    self.fail(start, f"Use at most {MAX_DICE} dice in all.")
            terms.append(_signed(term, sign))
            self.skip_space()
            if self.at == len(self.text):
                return Expression(tuple(terms))
            if self.peek() not in _SIGNS:
                self.fail(self.at, f"expected “+” or “-”, found {_shown(self.peek())}.")
            sign, after = _SIGNS[self.peek()], self.peek()
            self.at += 1
            self.skip_space()

    def term(self, after: str | None) -> DiceTerm | ConstantTerm:
        start = self.at
        count_text = self.digits()
        if self.peek() not in ("d", "D"):
            if not count_text:
                where = f" after “{after}”" if after else ""
                found = f", found {_shown(self.peek())}" if self.peek() else ""
                self.fail(start, f"expected {_DICE_EXAMPLE}{where}{found}.")
            value = int(count_text)
            if value > MAX_CONSTANT:
                self.fail(start, f"Use numbers up to {MAX_CONSTANT:,}.")
            return ConstantTerm(1, value)
        self.at += 1
        sides_at = self.at
        sides_text = self.digits()
        if not sides_text:
            self.fail(sides_at, "expected a whole number of sides after “d”.")
        count = int(count_text) if count_text else 1
        sides = int(sides_text)
        if count < 1:
            self.fail(start, f"{count}d{sides} rolls no dice; use 1 to {MAX_COUNT}.")
        if count > MAX_COUNT:
            self.fail(start, f"{count}d{sides} rolls too many dice; use 1 to {MAX_COUNT}.")
        if not MIN_SIDES <= sides <= MAX_SIDES:
            self.fail(sides_at, f"Dice have {MIN_SIDES} to {MAX_SIDES:,} sides.")
        if self.peek() not in ("k", "K"):
            return DiceTerm(1, count, sides)
        return self.keep(start, count, sides)

    def keep(self, start: int, count: int, sides: int) -> DiceTerm:
        self.at += 1
        keep = self.peek().lower()
        if self.peek() not in ("h", "H", "l", "L"):
            self.fail(self.at, "expected “h” (keep highest) or “l” (keep lowest) after “k”.")
        self.at += 1
        keep_at = self.at
        keep_text = self.digits()
        if not keep_text:
            self.fail(keep_at, f"expected how many dice to keep after “k{keep}”.")
        keep_count = int(keep_text)
        notation = f"{count}d{sides}k{keep}{keep_count}"
        if keep_count < 1:
            self.fail(keep_at, f"Keep 1 to {count} dice: {notation} keeps none.")
        if keep_count > count:
            self.fail(keep_at, f"Keep 1 to {count} dice: {notation} keeps more than it rolls.")
        return DiceTerm(1, count, sides, keep, keep_count)

    def digits(self) -> str:
        start = self.at
        while self.at < len(self.text) and self.text[self.at] in _DIGITS:
            self.at += 1
        return self.text[start : self.at]

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def skip_space(self) -> None:
        while self.at < len(self.text) and self.text[self.at] in _SPACE:
            self.at += 1

    def fail(self, at: int, message: str) -> None:
        raise RuleViolation(self.field, f"Column {at + 1}: {message}")


def _signed(term: DiceTerm | ConstantTerm, sign: int) -> DiceTerm | ConstantTerm:
    if isinstance(term, DiceTerm):
        return DiceTerm(sign, term.count, term.sides, term.keep, term.keep_count)
    return ConstantTerm(sign, term.value, term.source)


def _shown(char: str) -> str:
    """Return “x” for a visible character, U+0000 for one a player cannot see."""
    return f"“{char}”" if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"
