"""Every mix player signed in as their browser and their scripts would be: through the login form and the API."""

import ssl

from bench.client import Client
from bench.mix import Credentials
from bench.players import PASSWORD, PlayerCharacter


def sign_in(base_url: str, context: ssl.SSLContext | None, characters: list[PlayerCharacter]) -> dict[str, Credentials]:
    """Credentials by email for each player owning one of `characters`.

    The CSRF token is the one the player's own inventory page hands htmx; the cookies are taken last, after
    every answer that may have set them (the session keeps the secret the token is signed from).
    """
    first: dict[str, PlayerCharacter] = {}
    for character in characters:
        first.setdefault(character.email, character)
    result = {}
    for email, character in first.items():
        browser = Client(base_url, context)
        try:
            browser.sign_in(email, PASSWORD)
            csrf = browser.csrf_token(f"/characters/{character.character_id}/inventory")
            token = browser.create_token("bench-mix", scope="write")
            result[email] = Credentials(browser.cookie_header(), csrf, token)
        finally:
            browser.close()
    return result
