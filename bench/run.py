"""`make bench`: generate the base, serve the app with gunicorn, measure each figure beside its floor, report.

    python -m bench.run --scale 0.1 --db postgresql|sqlite

Phases: fresh database -> migrate -> bulk load -> SQL counts and captured SQL (in-process test client) ->
gunicorn (2 workers, DEBUG off, production settings) -> HTTP figures and their floors -> import -> RSS -> report.
See docs/benchmark.md for what each figure and floor means.
"""

from __future__ import annotations

import argparse
import datetime
import os
import secrets
import signal
import sys
import time
from pathlib import Path

from bench.config import RESULTS_DIR, Sizes, database_url

ROOT = Path(__file__).resolve().parent.parent
log_start = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - log_start:6.1f}s] {message}", flush=True)


def server_env(url: str, var_dir: Path) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_URL": url, "KARTOTEKA_VAR_DIR": str(var_dir),
        "DEBUG": "false", "PRODUCTION": "true", "SECURE_SSL_REDIRECT": "false", "SECRET_KEY": secrets.token_hex(32),
        "KARTOTEKA_BENCH_FLOORS": "true", "LOG_LEVEL": "ERROR", "DB_CONN_MAX_AGE": "60",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


def fresh_database(engine: str, url: str) -> None:
    if engine == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    from urllib.parse import urlparse

    import psycopg

    u = urlparse(url)
    name = u.path.lstrip("/")
    with psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username or "postgres",
                         password=u.password or None, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--requests", type=int, default=40, help="timed requests per latency figure")
    parser.add_argument("--load-seconds", type=float, default=15, help="duration of each throughput run")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)

    wall = time.monotonic()
    url = database_url(args.db)
    var_dir = RESULTS_DIR / f"var-{args.db}"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(url, var_dir)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    sizes = Sizes.at(args.scale)
    log(f"fresh {args.db} database at {url}")
    fresh_database(args.db, url)

    import django

    django.setup()
    from django.core.management import call_command

    from bench import measure, report
    from bench.data import Dataset
    from bench.load import load

    call_command("migrate", verbosity=0)
    log(f"loading {sizes}")
    t0 = time.monotonic()
    ds = Dataset(sizes)
    rows = load(ds, log)
    load_seconds = time.monotonic() - t0
    log(f"loaded in {load_seconds:.0f}s")

    bench = measure.Bench(ds, args, env, log)
    try:
        bench.prepare()
        bench.start_server()
        figures = bench.run_all()
    finally:
        bench.stop_server()
    wall_seconds = time.monotonic() - wall
    results = {
        "meta": {"scale": args.scale, "engine": args.db, "sizes": vars(sizes), "rows": rows, "workers": 2,
                 "cpus": os.cpu_count(), "load_seconds": load_seconds, "wall_seconds": wall_seconds,
                 "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                 "requests_per_figure": args.requests, "throughput_seconds": args.load_seconds},
        "figures": [report.finish(f) for f in figures],
    }
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    raw = RESULTS_DIR / f"{stamp}-{args.db}-scale{args.scale:g}"
    report.write(results, raw.parent / f"{raw.name}.json", raw.parent / f"{raw.name}.md")
    report.write(results, ROOT / "bench" / "results.json", ROOT / "bench" / "results.md")
    print(report.markdown(results))
    log(f"results: bench/results.md, bench/results.json (raw: {raw}.json); wall time {wall_seconds:.0f}s")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        drop_database(args.db, url)
    return 0


def drop_database(engine: str, url: str) -> None:
    if engine == "sqlite":
        fresh_database(engine, url)  # removes the file
        return
    from urllib.parse import urlparse

    import psycopg

    u = urlparse(url)
    with psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username or "postgres",
                         password=u.password or None, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{u.path.lstrip("/")}" WITH (FORCE)')


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(main())
