"""The figures: each scenario measured over HTTP against gunicorn, beside its floor measured in the same run."""

from __future__ import annotations

import os
import random
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection

from bench.client import Http
from bench.data import Dataset
from bench.report import percentile

ROOT = Path(__file__).resolve().parent.parent
BIG_TABLES = ("contacts_company", "contacts_contact", "deals_deal", "leads_lead", "activities_activity")
LIST_SQL_MAX, CARD_SQL_MAX = 10, 10


class Recorder:
    """An execute wrapper that keeps every statement with its parameters."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, bool]] = []

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.calls.append((sql, params, many))
        return execute(sql, params, many, context)


def is_read(sql: str) -> bool:
    head = sql.lstrip().upper()
    return head.startswith(("SELECT", "WITH", "(SELECT"))


def stats(times: list[float]) -> dict[str, float]:
    return {"p50": round(percentile(times, 50), 2), "p95": round(percentile(times, 95), 2),
            "p99": round(percentile(times, 99), 2)}


class Bench:
    def __init__(self, ds: Dataset, args: Any, env: dict[str, str], log: Callable[[str], None]) -> None:
        self.ds, self.args, self.env, self.log = ds, args, env, log
        self.http = Http(f"http://127.0.0.1:{args.port}")
        self.server: subprocess.Popen | None = None
        self.captured: dict[str, list[tuple[str, Any, bool]]] = {}
        self.sql_counts: dict[str, int] = {}

    # -- set-up -----------------------------------------------------------------------------------------------------
    def prepare(self) -> None:
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore

        from kartoteka.accounts.models import SecurityPolicy, User
        from kartoteka.accounts.services import issue_token
        from kartoteka.contacts.models import Company, Contact

        # The benchmark's admin signs in without a second factor (a throwaway base).
        SecurityPolicy.objects.update_or_create(pk=1, defaults={"two_factor_roles": [], "two_factor_for_exporters": False})
        ds = self.ds
        self.team = ds.team_of(ds.company_owner[1])  # the team of the long-timeline company's responsible
        self.users = {"manager": User.objects.get(pk=ds.company_owner[1]), "head": User.objects.get(pk=ds.head_of(self.team)),
                      "admin": User.objects.get(pk=ds.admin_id)}
        self.cookies, self.tokens = {}, {}
        for role, user in self.users.items():
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            self.cookies[role] = session.session_key
            self.tokens[role] = issue_token(user)
        members = ds.team_member_ids(self.team)
        self.owners = {"manager": [self.users["manager"].pk], "head": members}
        self.team_companies = list(Company.objects.filter(owner_id__in=members).order_by("?")
                                   .values_list("pk", flat=True)[:500])
        sample = Contact.objects.filter(owner_id__in=members, company__isnull=False).order_by("pk").first()
        company = Company.objects.get(pk=self.team_companies[0])
        phone = sample.phones[0].lstrip("+")
        self.searches = {
            "name fragment": sample.last_name[:6],
            "phone digits": phone[4:10],
            "e-mail part": sample.emails[0].split("@")[0][2:],
            "INN": company.inn,
        }
        self.log(f"users {[u.username for u in self.users.values()]}, searches {self.searches}")

    def start_server(self) -> None:
        cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "kartoteka.wsgi:application", "--workers", "2",
               "--bind", f"127.0.0.1:{self.args.port}", "--timeout", "300", "--chdir", str(ROOT)]
        self.server_log = (ROOT / "bench" / "results" / "gunicorn.log").open("w")  # noqa: SIM115 - open while it runs
        self.server = subprocess.Popen(cmd, env={**os.environ, **self.env}, stdout=subprocess.DEVNULL,  # noqa: S603
                                       stderr=self.server_log)
        for _ in range(120):
            try:
                status, _, _ = self.http.request("/accounts/login/")
                if status == 200:
                    self.log(f"gunicorn up (pid {self.server.pid})")
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not start: see bench/results/gunicorn.log")

    def stop_server(self) -> None:
        if self.server and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=30)

    def worker_memory_mb(self) -> list[tuple[float, float | None]]:
        """(RSS, PSS) of each gunicorn worker: resident memory, and its share when pages are shared."""
        assert self.server is not None
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children").read_text().split()
        result = []
        for pid in children:
            fields = {}
            for name in ("status", "smaps_rollup"):
                try:
                    for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                        key, _, rest = line.partition(":")
                        if key in ("VmRSS", "Pss") and rest.split():
                            fields[key] = round(int(rest.split()[0]) / 1024, 1)
                except OSError:
                    pass
            result.append((fields["VmRSS"], fields.get("Pss")))
        return result

    # -- helpers ----------------------------------------------------------------------------------------------------
    def session(self, role: str) -> dict[str, str]:
        return {"Cookie": f"sessionid={self.cookies[role]}"}

    def bearer(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def capture(self, key: str, path: str, role: str, **kwargs: Any) -> int:
        """Run the request in-process with the test client: its SQL statements, counted and kept for the floor."""
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = self.cookies[role]
        client.get(path, **kwargs)  # steady state: per-process caches filled, the session's first touch written
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            response = client.get(path, **kwargs)
        if response.status_code != 200:
            raise RuntimeError(f"{path} as {role}: HTTP {response.status_code}")
        self.captured[key] = recorder.calls
        self.sql_counts[key] = len(recorder.calls)
        return len(recorder.calls)

    def sql_floor(self, key: str, n: int) -> dict[str, float]:
        """The captured reads run directly on the database, n times: the SQL floor of a page."""
        reads = [(sql, params) for sql, params, many in self.captured[key] if not many and is_read(sql)]
        times = []
        with connection.cursor() as cursor:
            for i in range(-2, n):
                start = time.perf_counter()
                for sql, params in reads:
                    cursor.execute(sql, params)
                    cursor.fetchall()
                if i >= 0:
                    times.append((time.perf_counter() - start) * 1000)
        return stats(times)

    def big_tables(self) -> set[str]:
        """The searchable tables with 10 000 rows or more (a scan of a nearly empty table is the right plan)."""
        big = set()
        with connection.cursor() as cursor:
            for table in BIG_TABLES:
                cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} LIMIT 10000) t")  # noqa: S608
                if cursor.fetchone()[0] >= 10_000:
                    big.add(table)
        return big

    def plan_problems(self, key: str) -> list[str]:
        """Sequential scans of big tables in the plans of the captured reads."""
        problems = []
        big = self.big_tables()
        with connection.cursor() as cursor:
            for sql, params, many in self.captured[key]:
                if many or not is_read(sql):
                    continue
                if connection.vendor == "postgresql":
                    cursor.execute("EXPLAIN " + sql, params)
                    plan = "\n".join(r[0] for r in cursor.fetchall())
                    problems += [m for m in re.findall(r"Seq Scan on (\w+)", plan) if m in big]
                else:
                    cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                    for row in cursor.fetchall():
                        m = re.match(r"SCAN (\w+)(?: |$)", row[-1])
                        if m and m.group(1) in big:
                            problems.append(m.group(1))
        return sorted(set(problems))

    def latency(self, path: str | Callable[[int], str], **kwargs: Any) -> dict[str, Any]:
        return self.stats_of(self.http.timed(path, self.args.requests, **kwargs))

    @staticmethod
    def stats_of(result: dict[str, Any]) -> dict[str, Any]:
        return {**stats(result["times"]), "errors": result["errors"]}

    # -- the figures ------------------------------------------------------------------------------------------------
    def run_all(self) -> list[dict[str, Any]]:
        figures: list[dict[str, Any]] = []
        for step in (self.lists, self.card, self.search, self.create, self.reports, self.throughput, self.rss,
                     self.import_):
            t0 = time.monotonic()
            got = step()
            figures += got
            for f in got:
                self.log(f"{f['label']}: ours {f.get('ours')} floor {f.get('floor')} sql {f.get('sql')}")
            self.log(f"{step.__name__.strip('_')} done in {time.monotonic() - t0:.0f}s")
        return figures

    def lists(self) -> list[dict[str, Any]]:
        figures = []
        pages = {
            "first page": ("/contacts/", "contact", {}),
            "filtered, sorted": ("/companies/?status=active&sort=-updated_at", "company",
                                 {"status": "active", "order": "-updated_at,-id"}),
        }
        for role in ("manager", "head"):
            for name, (path, entity, floor_args) in pages.items():
                key = f"list {name} {role}"
                sql = self.capture(key, path, role)
                ours = self.latency(path, headers=self.session(role))
                query = "&".join(f"{k}={v}" for k, v in {"owners": ",".join(map(str, self.owners[role])),
                                                         **floor_args}.items())
                floor = self.latency(f"/bench-floor/list/{entity}/?{query}")
                figures.append({"key": key, "label": f"List {path.split('?')[0]} {name}, {role}", "unit": "ms p95",
                                "ours": ours["p95"], "p50": ours["p50"], "sql": sql, "floor": floor["p95"],
                                "floor_kind": "bare Django", "errors_http": ours["errors"],
                                "sql_floor": self.sql_floor(key, 10)["p95"],
                                "target": {"max_ratio": 3, "max_sql": LIST_SQL_MAX}})
        return figures

    def card(self) -> list[dict[str, Any]]:
        from kartoteka.activities.models import Activity

        pk = 1
        path = f"/companies/{pk}/"
        key = "card"
        sql = self.capture(key, path, "manager")
        ours = self.latency(path, headers=self.session("manager"))
        floor = self.latency(f"/bench-floor/company/{pk}/?full=1")
        n = Activity.objects.filter(company_id=pk).count()
        return [{"key": key, "label": "Company card, {} timeline entries".format(f"{n:,}".replace(",", " ")),
                 "unit": "ms p95",
                 "ours": ours["p95"], "p50": ours["p50"], "sql": sql, "floor": floor["p95"], "floor_kind": "bare Django",
                 "sql_floor": self.sql_floor(key, 10)["p95"], "target": {"max_ratio": 3, "max_sql": CARD_SQL_MAX}}]

    def search(self) -> list[dict[str, Any]]:
        figures = []
        for name, fragment in self.searches.items():
            path = f"/search/?q={quote(fragment)}"
            key = f"search {name}"
            sql = self.capture(key, path, "head")
            problems = self.plan_problems(key)
            ours = self.latency(path, headers=self.session("head"))
            floor = self.sql_floor(key, self.args.requests)
            figures.append({"key": key, "label": f"Search: {name} «{fragment}», head", "unit": "ms p95",
                            "ours": ours["p95"], "p50": ours["p50"], "sql": sql, "floor": floor["p95"],
                            "floor_kind": "its SQL", "plan_ok": not problems, "seq_scans": problems,
                            "target": {"max_ratio": 3, "plan_ok": True}})
        return figures

    def create(self) -> list[dict[str, Any]]:
        run = random.Random(7).randrange(10**6)
        manager = self.users["manager"].pk

        def body(i: int) -> dict[str, Any]:
            return {"first_name": "Бенчмарк", "last_name": f"Тестов{i + 3}",
                    "phones": [f"+7999{(run * 1000 + i + 3) % 10**7:07d}"], "emails": [f"bench{run}.{i + 3}@example.ru"]}

        times, errors = [], 0
        for i in range(-3, self.args.requests):
            status, seconds, _ = self.http.request("/api/v1/contacts", headers=self.bearer("manager"), body=body(i))
            errors += status != 201
            if i >= 0:
                times.append(seconds * 1000)
        floor = [self.http.request("/bench-floor/contacts/", body={**body(i + 10_000), "owner": manager})
                 for i in range(-3, self.args.requests)][3:]
        ours, fl = stats(times), stats([s * 1000 for _, s, _ in floor])
        return [{"key": "create", "label": "Create a contact (API)", "unit": "ms p95", "ours": ours["p95"],
                 "p50": ours["p50"], "errors": errors, "floor": fl["p95"], "floor_kind": "bare Django INSERT",
                 "target": {"max_ratio": 4, "max_errors": 0}}]

    def reports(self) -> list[dict[str, Any]]:
        figures = []
        for name in ("funnel", "forecast"):
            path = f"/reports/{name}/?period=year"
            key = f"report {name}"
            sql = self.capture(key, path, "admin")
            n = max(10, self.args.requests // 2)  # a report is slower than a page: fewer samples
            ours = self.stats_of(self.http.timed(path, n, warmup=1, headers=self.session("admin")))
            floor = self.sql_floor(key, n)
            figures.append({"key": key, "label": f"Report: {name}, all deals (admin)", "unit": "ms p95",
                            "ours": ours["p95"], "p50": ours["p50"], "sql": sql, "floor": floor["p95"],
                            "floor_kind": "its SQL", "target": {"max_ratio": 2, "or_max_value": 50}})
        return figures

    def throughput(self) -> list[dict[str, Any]]:
        companies, owners = self.team_companies, ",".join(map(str, self.owners["head"]))
        rng = random.Random(20)
        choice = [rng.random() < 0.8 for _ in range(100_000)]
        head = self.bearer("head")

        def ours(i: int) -> tuple[str, dict[str, str]]:
            if choice[i % len(choice)]:
                return f"/api/v1/companies/{companies[i % len(companies)]}", head
            return f"/api/v1/contacts?page={i % 5 + 1}", head

        def floor(i: int) -> tuple[str, dict[str, str]]:
            if choice[i % len(choice)]:
                return f"/bench-floor/company/{companies[i % len(companies)]}/", {}
            return f"/bench-floor/list/contact/?owners={owners}", {}

        got = self.http.load(ours, clients=20, seconds=self.args.load_seconds)
        base = self.http.load(floor, clients=20, seconds=self.args.load_seconds)
        return [{"key": "throughput", "label": "API at 20 clients (80% card, 20% list), head", "unit": "req/s",
                 "ours": round(got["rps"], 1), "p99": round(percentile(got["times"], 99), 1), "errors": got["errors"],
                 "floor": round(base["rps"], 1), "floor_kind": "bare Django", "floor_errors": base["errors"],
                 "target": {"min_ratio": 0.5, "max_errors": 0}}]

    def rss(self) -> list[dict[str, Any]]:
        return [{"key": f"rss {i}", "label": f"RSS of gunicorn worker {i + 1} after the run", "unit": "MB",
                 "ours": rss, "pss": pss, "target": {"max_value": 80}}
                for i, (rss, pss) in enumerate(self.worker_memory_mb())]

    def import_(self) -> list[dict[str, Any]]:
        from bench import importer

        n = self.ds.sizes.import_rows
        floor_rows = importer.import_rows(self.ds, n, first_id=50_000_001)
        text = importer.as_csv(floor_rows)
        floor_seconds = importer.floor_copy(floor_rows)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM contacts_contact WHERE id >= 50000001")
        start = time.perf_counter()
        result = importer.run_product_import(text, self.users["manager"])
        kind = importer.LABEL
        seconds = time.perf_counter() - start
        return [{"key": "import", "label": f"CSV import of {n:,} contacts".replace(",", " ") + f": {kind}", "unit": "rows/s",
                 "ours": round(n / seconds), "floor": round(n / floor_seconds), "floor_kind": "COPY"
                 if connection.vendor == "postgresql" else "executemany", "result": result,
                 "target": {"min_ratio": 0.2}}]
