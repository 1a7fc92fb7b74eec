"""Password hashing with argon2id at OWASP's recommended cost."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

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
