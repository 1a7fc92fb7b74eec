"""Running wrk over a table of prebuilt requests and reading its results, which a Lua `done()` prints as JSON."""

import json
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

MARKER = "BENCH_RESULT "

# Arguments after `--`: the table file, the number of threads, and where in the table to start. wrk runs setup()
# in its main Lua state, then init(), request() and response() in one state per thread; done() runs in the main
# state and reads each thread's counts through the thread objects setup() kept. Latencies are microseconds.
TABLE_LUA = r"""
local threads = {}

setup = function(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

local requests = {}
local position = 0
non_2xx = 0
statuses = {}

init = function(args)
  for _, entry in ipairs(dofile(args[1])) do
    table.insert(requests, wrk.format(entry[1], entry[2], entry[3], entry[4]))
  end
  local count, start = tonumber(args[2]), tonumber(args[3])
  -- each thread walks the whole table, from its own share of it onwards
  position = (start + math.floor(thread_index * #requests / count)) % #requests
end

request = function()
  position = position % #requests + 1
  return requests[position]
end

response = function(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
    statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
  end
end

done = function(summary, latency, requests)
  local bad, by_status = 0, {}
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non_2xx")
    for status, n in pairs(thread:get("statuses")) do by_status[status] = (by_status[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(by_status) do table.insert(parts, string.format('"%s": %d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.2f, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d}, "non_2xx": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout,
    bad, table.concat(parts, ", ")))
end
"""
SOCKET_ERRORS = ("connect", "read", "write", "timeout")  # wrk's "status" counts answers ≥ 400, within non_2xx


@dataclass(frozen=True)
class Request:
    """One entry of a request table: what wrk sends, and what it stands for (view, whose credentials)."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    view: str = ""
    owner: str = ""

    @property
    def is_write(self) -> bool:
        return self.method not in {"GET", "HEAD"}


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    bytes: int
    errors: dict[str, int] = field(default_factory=dict)
    non_2xx: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        """Answers other than 2xx, and requests that got no answer at all."""
        return self.non_2xx + sum(self.errors.get(kind, 0) for kind in SOCKET_ERRORS)


class WrkError(RuntimeError):
    """wrk failed or printed no result line."""


def parse(output: str) -> WrkResult:
    """Read the BENCH_RESULT line that TABLE_LUA prints among wrk's usual output."""
    for line in output.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER) :])
            break
    else:
        raise WrkError("wrk printed no result line:\n" + output[-2000:])
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        mean_ms=data["mean_us"] / 1000,
        bytes=data["bytes"],
        errors=dict(data["errors"]),
        non_2xx=data.get("non_2xx", 0),
        statuses=dict(data.get("statuses", {})),
    )


def lua_string(text: str) -> str:
    """A Lua string literal for any text: quotes, backslashes and every byte outside printable ASCII escaped."""
    out = []
    for byte in text.encode():
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def write_table(path: Path, requests: Iterable[Request]) -> Path:
    """The table as a Lua file that returns {method, path, headers, body} for each request, in order."""
    lines = ["return {"]
    for r in requests:
        headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in r.headers.items())
        body = lua_string(r.body) if r.body is not None else "nil"
        lines.append(f"  {{{lua_string(r.method)}, {lua_string(r.path)}, {{{headers}}}, {body}}},")
    lines.append("}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def write_script(directory: Path) -> Path:
    """The Lua script, written where wrk can read it."""
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "walk-table.lua"
    script.write_text(TABLE_LUA)
    return script


def run(
    url: str,
    script: Path,
    table: Path,
    duration: float,
    connections: int = 32,
    threads: int = 2,
    start: int = 0,
) -> WrkResult:
    """Send the table's requests to the server at `url` for `duration` seconds, from entry `start` on.

    A request slower than 30 s counts as a timeout, not a latency.
    """
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--timeout", "30s", "-s", str(script)]
    command += [url, "--", str(table), str(threads), str(start)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode != 0:
        raise WrkError(f"wrk exited with {done.returncode}: {done.stderr.strip() or done.stdout[-1000:]}")
    return parse(done.stdout)
