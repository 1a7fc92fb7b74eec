"""Waiting for htmx in a journey: what it does at settle (focus, closing dialogs) is done once the wait returns."""

from contextlib import contextmanager

from playwright.sync_api import Page

# Armed before the block: the first request htmx sends from then on (not one a listener stopped) is the one waited
# for. Any other settle (a swap already on its way, a poll, a refresh a trigger asked for) is not it.
_SETTLE_OF_NEXT_REQUEST = """seconds => {
  const state = {};
  state.done = new Promise((resolve, reject) => {
    let sent = null;
    const onSend = event => { if (sent === null) sent = event.detail.xhr; };
    const onSettle = event => {
      if (sent === null || event.detail.xhr !== sent) return;
      stop();
      setTimeout(resolve);  // after every other settle listener
    };
    const timer = setTimeout(() => { stop(); reject(new Error("no htmx request settled in " + seconds + " s")); },
                             seconds * 1000);
    function stop() {
      document.removeEventListener("htmx:beforeSend", onSend);
      document.removeEventListener("htmx:afterSettle", onSettle);
      clearTimeout(timer);
    }
    document.addEventListener("htmx:beforeSend", onSend);
    document.addEventListener("htmx:afterSettle", onSettle);
  });
  return state;
}"""


@contextmanager
def next_settle(page: Page, seconds: float = 15):
    """Returns after the block once the first htmx request sent in it has been answered, swapped and settled, and
    every settle listener has run; fails when none settles within `seconds`.

    An assertion made right after a swap can pass in the 20 ms before htmx settles and miss what settle changes."""
    handle = page.evaluate_handle(_SETTLE_OF_NEXT_REQUEST, seconds)
    yield
    page.evaluate("state => state.done", handle)
