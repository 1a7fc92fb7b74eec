"""Sessions on the account page are named as a person says them ("Firefox on Linux"), not as User-Agent strings."""

import pytest

from tests.factories import PASSWORD
from webapp.pages.devices import device_name

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile "
    "Safari/537.36"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
    "Safari/537.36 Edg/131.0.0.0"
)
SAFARI_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 "
    "Safari/605.1.15"
)


@pytest.mark.parametrize(
    ("agent", "name"),
    [
        (FIREFOX_LINUX, "Firefox on Linux"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (CHROME_ANDROID, "Chrome on Android"),
        (EDGE_WINDOWS, "Edge on Windows"),
        (SAFARI_MAC, "Safari on macOS"),
        ("curl/8.5.0", "curl"),
        ("python-requests/2.32.3", "Python"),
        ("", "Unknown browser"),
        (None, "Unknown browser"),
        ("SomethingNew/1.0", "Unknown browser"),
    ],
)
def test_device_names_read_like_a_person_would_say_them(agent, name):
    assert device_name(agent) == name


def test_the_account_page_names_each_session_by_browser_and_system(app, make):
    user = make.user()
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": PASSWORD}, headers={"User-Agent": FIREFOX_LINUX})
    page = browser.get("/account", headers={"User-Agent": FIREFOX_LINUX}).get_data(as_text=True)
    assert '<td data-label="Device"><span title="' + FIREFOX_LINUX + '">Firefox on Linux</span>' in page
