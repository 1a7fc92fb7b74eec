"""Container health check: GET /health (or the path given, e.g. /ready) on Gunicorn's port; 0 only for a 200."""

import os
import sys
import urllib.request


def main(path: str = "/health") -> int:
    port = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}").rsplit(":", 1)[1]
    url = f"http://127.0.0.1:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:  # connection refused, timeout, or an HTTP error status (503)
        print(f"{url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
