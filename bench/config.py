"""What a benchmark run covers: the dataset size at a scale, where the database is, and the targets."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/kt_bench"

# At SCALE=1 (the sizes). Users and teams do not scale: a team's share of the base grows with it.
FULL = {"contacts": 1_000_000, "companies": 300_000, "deals": 1_000_000, "activities": 10_000_000,
        "import_rows": 1_000_000}
USERS, TEAMS = 200, 20
LONG_TIMELINE_COMPANIES = 5


@dataclass(frozen=True)
class Sizes:
    contacts: int
    companies: int
    deals: int
    activities: int
    import_rows: int
    long_timeline: int  # activities of each of the LONG_TIMELINE_COMPANIES, besides their share
    users: int = USERS
    teams: int = TEAMS

    @classmethod
    def at(cls, scale: float) -> Sizes:
        n = {k: max(int(v * scale), 50) for k, v in FULL.items()}
        return cls(**n, long_timeline=max(int(50_000 * scale), 300))


def database_url(engine: str) -> str:
    if engine == "sqlite":
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        return os.environ.get("BENCH_SQLITE_URL", f"sqlite:///{RESULTS_DIR / 'kt_bench.sqlite3'}")
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG_URL)
