"""What one benchmark run measured: wrk runs, page builds, worker memory and live streams, per dataset size."""

from dataclasses import dataclass, field


@dataclass
class Measurement:
    """One wrk run over a request table (the mix, or one URL asked again and again)."""

    key: str
    label: str
    path: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    requests: int = 0
    errors: dict = field(default_factory=dict)  # wrk's socket errors and its own count of answers ≥ 400
    non_2xx: int = 0
    statuses: dict = field(default_factory=dict)  # answers other than 2xx, by status
    bytes_per_response: int = 0
    worker_rss_mb: float = 0.0
    urls: int = 1  # distinct URLs read
    writes: int = 0  # entries of the table that change something
    table_size: int = 1
    missing: str | None = None  # why it could not be measured (the feature is not there yet)
    hello_ratio: float | None = None  # set when measured in rounds: the median of each round's ratio
    rounds: list[dict] = field(default_factory=list)  # each round's rps, hello rps, ratio and p99

    @property
    def error_count(self) -> int:
        return self.non_2xx + sum(self.errors.get(k, 0) for k in ("connect", "read", "write", "timeout"))


@dataclass
class BuildTime:
    """One view built many times in-process with nothing cached."""

    view: str
    label: str
    path: str
    median_ms: float
    p90_ms: float
    builds: int
    queries: int
    round_medians_ms: list[float] = field(default_factory=list)  # every round's; median_ms is the lowest


@dataclass
class Phase:
    characters: int
    build_seconds: float
    ceiling_rps: float
    mix: list[Measurement]  # the bare hello, reads only, mixed with writes
    repeats: list[Measurement]  # one URL asked again and again, each
    builds: list[BuildTime] = field(default_factory=list)
    rss: dict = field(default_factory=dict)
    # The live scenario (last phase only, bench/live_streams.py): the mix again with idle streams open, as plain
    # figures; "mixed" and "hello" hold Measurements as dicts.
    live: dict = field(default_factory=dict)

    def share(self, m: Measurement) -> float:
        """The run's throughput as a share of the bare hello's: its rounds' median ratio when it ran in rounds."""
        if m.hello_ratio is not None:
            return m.hello_ratio
        return m.rps / self.ceiling_rps if self.ceiling_rps else 0.0

    def get(self, key: str) -> Measurement | None:
        return next((m for m in [*self.mix, *self.repeats] if m.key == key and not m.missing), None)

    def live_run(self, key: str) -> Measurement | None:
        """The live scenario's "mixed" or "hello" (every live round's hello, combined)."""
        return Measurement(**self.live[key]) if key in self.live else None

    def live_cost(self) -> float | None:
        """The share of the mix's throughput the open streams took, each mixed run measured against the hello of
        its own round as every ratio here is: 1 − (× hello with them / × hello without). The machine's speed
        drifts between the regular rounds and the live ones minutes later, and the hello of each round carries
        that drift. Plain req/s (1 − with / without) only for runs not taken in rounds."""
        with_streams, without = self.live_run("mixed"), self.get("mixed")
        if with_streams is None or without is None:
            return None
        if with_streams.hello_ratio and without.hello_ratio:
            return 1 - with_streams.hello_ratio / without.hello_ratio
        return 1 - with_streams.rps / without.rps if without.rps else None
