"""Running wrk and reading its results: a Lua `done()` hook prints the summary as one JSON line."""

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

MARKER = "BENCH_RESULT "

# wrk calls done() once at the end with the merged statistics of all threads; latencies are microseconds.
DONE_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.2f, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
"""

# A mixed load: each argument is "path|Header: value|Header: value"; requests take turns, prebuilt in init().
MIXED_LUA = (
    r"""
local requests = {}
local turn = 0

init = function(args)
  for _, spec in ipairs(args) do
    local parts = {}
    for part in string.gmatch(spec, "[^|]+") do table.insert(parts, part) end
    local headers = {}
    for i = 2, #parts do
      local name, value = string.match(parts[i], "^([^:]+):%s*(.*)$")
      headers[name] = value
    end
    table.insert(requests, wrk.format("GET", parts[1], headers))
  end
end

request = function()
  turn = turn % #requests + 1
  return requests[turn]
end
"""
    + DONE_LUA
)


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

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


class WrkError(RuntimeError):
    """wrk failed or printed no result line."""


def parse(output: str) -> WrkResult:
    """Read the BENCH_RESULT line that DONE_LUA prints among wrk's usual output."""
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
    )


def write_scripts(directory: Path) -> tuple[Path, Path]:
    """The two Lua scripts, written where wrk can read them: (single target, mixed load)."""
    directory.mkdir(parents=True, exist_ok=True)
    single, mixed = directory / "report.lua", directory / "mixed.lua"
    single.write_text(DONE_LUA)
    mixed.write_text(MIXED_LUA)
    return single, mixed


def run(
    url: str,
    script: Path,
    duration: float,
    connections: int = 32,
    threads: int = 2,
    headers: dict[str, str] | None = None,
    args: list[str] | None = None,
) -> WrkResult:
    """Drive `url` for `duration` seconds; a request slower than 30 s counts as a timeout, not a latency."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--timeout", "30s", "-s", str(script)]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    if args:
        command += ["--", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode != 0:
        raise WrkError(f"wrk exited with {done.returncode}: {done.stderr.strip() or done.stdout[-1000:]}")
    return parse(done.stdout)
