"""What one benchmark run measured: wrk runs, in-process page builds and worker memory, per dataset size."""

from dataclasses import dataclass


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
