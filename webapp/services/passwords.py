"""Passwords: hashed with argon2id at OWASP's recommended cost, and acceptable when 12–128 characters long, not
common, and not the user's own name or email."""

import re
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from webapp.text import ONE_LINE_PATTERN

# OWASP: argon2id, 19 MiB memory, 2 iterations, 1 degree of parallelism.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches; never raises for a wrong password or a malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


COMMON = frozenset(  # lower case: a password is compared in lower case
    [
        "123456789012",
        "1234567890123",
        "password1234",
        "password12345",
        "passwordpassword",
        "qwertyuiop12",
        "qwertyuiopas",
        "qwerty123456",
        "iloveyou1234",
        "letmein12345",
        "welcome12345",
        "administrator",
        "admin1234567",
        "changeme1234",
        "abc123456789",
        "111111111111",
        "000000000000",
        "123123123123",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "football1234",
        "baseball1234",
        "dragon123456",
        "monkey123456",
        "sunshine1234",
        "princess1234",
        "trustno11234",
        "superman1234",
        "starwars1234",
        "whatever1234",
        "passw0rd1234",
        "p@ssw0rd1234",
        "p@ssword1234",
        "correcthorse",
        "correcthorsebatterystaple",
        "mypassword12",
        "secretsecret",
        "qwerty12345678",
        "zaq12wsxcde3",
        "asdfghjkl123",
        "zxcvbnm12345",
        "password123!",
        "welcome123!",
        "tavern123456",
        "tavernpassword",
    ]
)


MIN_LENGTH = 12
MAX_LENGTH = 128
POLICY = (
    f"{MIN_LENGTH}–{MAX_LENGTH} characters, kept as typed (spaces count); not a common password, not a single "
    "character or two repeated, and neither your display name nor the part of your email before the @."
)


def password_problems(password: str, email: str = "", display_name: str = "") -> list[str]:
    """Sentences explaining what is wrong with the password (empty when it is fine)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    if password.lower() in COMMON or len(set(password)) <= 2:
        problems.append("This password is too common. Try a short sentence only you would think of.")
    return problems + personal_problems(password, email, display_name)


def personal_problems(password: str, email: str, display_name: str) -> list[str]:
    """Whether the password is the person's own name, or holds their address's local part."""
    lowered = password.lower()
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered or display_name and display_name.lower() == lowered:
        return ["Don't use your name or email in your password."]
    return []


def _acceptable(password: str) -> str:
    problems = password_problems(password)
    if problems:
        raise PydanticCustomError("password_policy", " ".join(problems))
    return password


def _case_blind(word: str) -> str:
    return "".join(f"[{char}{char.upper()}]" if char != char.upper() else re.escape(char) for char in word)


# What the policy refuses whoever sends it, as JSON Schema patterns: a common password in any case, and one or two
# characters repeated.
COMMON_PATTERN = "^(?:" + "|".join(sorted(_case_blind(word.lower()) for word in COMMON)) + ")$"
REPEATED_PATTERN = r"^([\s\S])\1*(?:([\s\S])(?:\1|\2)*)?$"

# A new password as the policy wants it; whose name or address it holds, the use case checks (it knows them).
NewPassword = Annotated[
    str,
    AfterValidator(_acceptable),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": MIN_LENGTH,
            "maxLength": MAX_LENGTH,
            "pattern": ONE_LINE_PATTERN,
            "not": {"anyOf": [{"pattern": COMMON_PATTERN}, {"pattern": REPEATED_PATTERN}]},
            "description": POLICY,
        }
    ),
]
