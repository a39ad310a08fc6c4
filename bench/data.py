"""Deterministic, realistic rows for the benchmark base: Russian names and companies, E.164 phones, valid INNs,
deals with stage histories and a timeline of activities. Rows are tuples in the column order of COLUMNS; ids are
assigned here (1..n) so that links need no lookups. Search columns are built with the app's own normalisers.

Links are arithmetic: contact i and deal i belong to company ((i - 1) % companies) + 1 (every fifth contact has
no company); a company's records share its responsible.
"""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Iterator
from typing import Any

from bench.config import LONG_TIMELINE_COMPANIES, Sizes
from kartoteka.contacts import demo_data as pool
from kartoteka.core.search import normalise_text, phone_digits
from kartoteka.deals.demo import LOST_REASONS, PRODUCTS

NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
SPAN = 730 * 86400  # records spread over two years before NOW

COLUMNS = {
    "accounts_team": ("id", "name"),
    "accounts_user": ("id", "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff",
                      "is_active", "date_joined", "role", "can_export", "language", "preferences", "team_id"),
    "accounts_team_heads": ("id", "team_id", "user_id"),
    "contacts_company": ("id", "created_at", "updated_at", "version", "custom_fields", "search_text", "name",
                         "legal_form", "inn", "kpp", "ogrn", "industry", "website", "legal_address", "postal_address",
                         "phones", "emails", "status", "source", "description", "created_by_id", "owner_id"),
    "contacts_contact": ("id", "created_at", "updated_at", "version", "custom_fields", "search_text", "last_name",
                         "first_name", "middle_name", "position", "phones", "emails", "telegram", "whatsapp",
                         "birthday", "source", "description", "company_id", "created_by_id", "owner_id"),
    "deals_deal": ("id", "created_at", "updated_at", "version", "custom_fields", "search_text", "title", "amount",
                   "currency", "expected_close_date", "probability", "source", "closed_at", "stage_entered_at",
                   "description", "company_id", "created_by_id", "owner_id", "lost_reason_id", "pipeline_id",
                   "stage_id", "amount_from_lines"),
    "deals_dealcontact": ("id", "role", "contact_id", "deal_id"),
    "deals_stagechange": ("id", "from_stage_name", "to_stage_name", "at", "seconds_in_previous", "actor_id",
                          "deal_id", "from_stage_id", "to_stage_id"),
    "activities_activity": ("id", "kind", "body", "occurred_at", "created_at", "author_id", "company_id",
                            "contact_id", "deal_id", "channel", "direction", "duration_seconds", "email_from",
                            "email_to", "participants", "phone", "place", "recording_url", "subject", "result_id",
                            "lead_id"),
}
# Loaded in this order (foreign keys point backwards).
TABLES = tuple(COLUMNS)
BIG_TABLES = ("contacts_company", "contacts_contact", "deals_deal", "deals_dealcontact", "deals_stagechange",
              "activities_activity")
SOURCES = ("website", "phone", "email", "referral", "event", "cold", "import", "")
LEGAL_FORMS = ("ooo",) * 6 + ("ao", "pao", "ip", "ip")
ROOTS = list(pool.NAME_ROOTS)
SUFFIXES = [s for group in pool.INDUSTRIES.values() for s in group]
INDUSTRY_NAMES = list(pool.INDUSTRIES)
CITY_NAMES = list(pool.CITIES)
CALL_RESULTS = ("Дозвонился", "Не отвечает", "Перезвонить", "Неверный номер")
SUBJECTS = ("Обсудили условия поставки", "Отправлено коммерческое предложение", "Уточнили сроки",
            "Договорились о встрече", "Согласование договора", "Повторный звонок", "Запрос счёта",
            "Презентация продукта", "Обсуждение скидки", "Вопрос по оплате")


def translit(text: str) -> str:
    return "".join(pool.TRANSLIT.get(ch, ch) for ch in text.lower())


def feminine(surname: str) -> str:
    if surname.endswith("ский"):
        return surname[:-2] + "ая"
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


def inn10(rng: random.Random) -> str:
    """A 10-digit INN of a legal entity with a valid check digit."""
    digits = [rng.randrange(10) for _ in range(9)]
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    digits.append(sum(d * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)
    return "".join(map(str, digits))


def mobile(rng: random.Random) -> str:
    return f"+7{rng.choice(pool.MOBILE_CODES)}{rng.randrange(10_000_000):07d}"


def at(rng: random.Random, span: int = SPAN) -> datetime.datetime:
    return NOW - datetime.timedelta(seconds=rng.randrange(span))


def js(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class Dataset:
    """The rows of one benchmark base. `owner_of_company(c)` is the arithmetic link the loaders and the
    measurements share."""

    def __init__(self, sizes: Sizes, seed: int = 8) -> None:
        self.sizes = sizes
        self.seed = seed
        self.team_size = sizes.users // sizes.teams  # a head and team_size - 1 managers
        self.admin_id = sizes.users + 1
        rng = random.Random(seed)
        managers = [u for u in range(1, sizes.users + 1) if not self.is_head(u)]
        self.company_owner = [0] + [rng.choice(managers) for _ in range(sizes.companies)]
        self.pipelines: list[dict[str, Any]] = []  # filled by the loader: ids of pipelines and stages

    # -- people -----------------------------------------------------------------------------------------------
    def is_head(self, user_id: int) -> bool:
        return (user_id - 1) % self.team_size == 0

    def team_of(self, user_id: int) -> int:
        return (user_id - 1) // self.team_size + 1

    def head_of(self, team: int) -> int:
        return (team - 1) * self.team_size + 1

    def team_member_ids(self, team: int) -> list[int]:
        first = self.head_of(team)
        return list(range(first, first + self.team_size))

    def company_of_contact(self, contact_id: int) -> int | None:
        return None if contact_id % 5 == 0 else (contact_id - 1) % self.sizes.companies + 1

    def company_of_deal(self, deal_id: int) -> int:
        return (deal_id - 1) % self.sizes.companies + 1

    def teams(self) -> Iterator[tuple]:
        for t in range(1, self.sizes.teams + 1):
            yield (t, f"Отдел продаж {t:02d}")

    def users(self) -> Iterator[tuple]:
        rng = random.Random(self.seed + 1)
        joined = NOW - datetime.timedelta(days=800)
        for u in range(1, self.sizes.users + 2):
            admin = u == self.admin_id
            female = rng.random() < 0.5
            first = rng.choice(pool.FEMALE_FIRST if female else pool.MALE_FIRST)
            last = rng.choice(pool.SURNAMES)
            last = feminine(last) if female else last
            role = "admin" if admin else "head" if self.is_head(u) else "manager"
            username = "bench_admin" if admin else f"bench_{role}_{u:03d}"
            yield (u, "!bench-unusable", admin, username, first, last, f"{username}@bench.example", admin, True,
                   joined, role, False, "", "{}", None if admin else self.team_of(u))

    def team_heads(self) -> Iterator[tuple]:
        for t in range(1, self.sizes.teams + 1):
            yield (t, t, self.head_of(t))

    # -- client base --------------------------------------------------------------------------------------------
    def companies(self) -> Iterator[tuple]:
        rng = random.Random(self.seed + 2)
        for c in range(1, self.sizes.companies + 1):
            root, root_lat = rng.choice(ROOTS)
            suffix, suffix_lat = rng.choice(SUFFIXES)
            form = rng.choice(LEGAL_FORMS)
            name = f"{'ИП ' + rng.choice(pool.SURNAMES) if form == 'ip' else root + suffix}"
            if form != "ip":
                name = f"«{name}-{c % 997}»" if c % 3 else f"«{name}»"
            city = rng.choice(CITY_NAMES)
            inn, kpp = inn10(rng), f"{pool.CITIES[city][0]}{rng.randrange(10_000_000):07d}"
            ogrn = f"1{rng.randrange(10**13, 10**14)}"
            domain = f"{root_lat}-{suffix_lat}{c}.ru"
            phones = [f"+7{rng.choice(pool.CITIES[city][3])}{rng.randrange(10_000_000):07d}"]
            emails = [f"{rng.choice(pool.COMPANY_MAILBOXES)}@{domain}"]
            search = normalise_text(" ".join([name, inn, kpp, ogrn, *emails, *(phone_digits(p) for p in phones)]))
            created = at(rng)
            address = f"{city}, {rng.choice(pool.STREETS)}, д. {rng.randrange(1, 150)}"
            owner = self.company_owner[c]
            status = rng.choice(("active", "potential", "potential", "former"))
            yield (c, created, created, 1, "{}", search, name, form, inn, kpp, ogrn, rng.choice(INDUSTRY_NAMES),
                   f"https://{domain}", address, address, js(phones), js(emails), status, rng.choice(SOURCES), "",
                   owner, owner)

    def contacts(self, first_id: int = 1, count: int | None = None, seed_offset: int = 3) -> Iterator[tuple]:
        rng = random.Random(self.seed + seed_offset)
        last_id = first_id + (self.sizes.contacts if count is None else count)
        for i in range(first_id, last_id):
            female = rng.random() < 0.5
            first = rng.choice(pool.FEMALE_FIRST if female else pool.MALE_FIRST)
            last = rng.choice(pool.SURNAMES)
            last = feminine(last) if female else last
            middle = rng.choice(pool.PATRONYMICS)[1 if female else 0]
            position = rng.choice(pool.POSITIONS)
            phone = mobile(rng)
            email = f"{translit(first)[:1]}.{translit(last)}{rng.randrange(1000)}@{rng.choice(pool.PUBLIC_MAIL)}"
            telegram = f"@{translit(last)}{i}" if i % 4 == 0 else ""
            company = self.company_of_contact(i) if count is None else None
            owner = self.company_owner[company] if company else self.company_owner[(i % self.sizes.companies) + 1]
            search = normalise_text(" ".join(p for p in (last, first, middle, position, telegram, email,
                                                         phone_digits(phone)) if p))
            created = at(rng)
            birthday = datetime.date(rng.randrange(1960, 2000), rng.randrange(1, 13), rng.randrange(1, 29)) \
                if i % 3 == 0 else None
            yield (i, created, created, 1, "{}", search, last, first, middle, position, js([phone]), js([email]),
                   telegram, "", birthday, rng.choice(SOURCES), "", company, owner, owner)

    def deals(self) -> Iterator[tuple]:
        """Deals and, through `stage_changes`, their histories; `self.pipelines` must be set (see load)."""
        rng = random.Random(self.seed + 4)
        reasons = len(LOST_REASONS)
        for d in range(1, self.sizes.deals + 1):
            company = self.company_of_deal(d)
            owner = self.company_owner[company]
            pipeline = self.pipelines[0 if d % 10 < 6 else 1 if d % 10 < 9 else 2]
            created = at(rng)
            roll = rng.random()
            opens = pipeline["open"]
            if roll < 0.5:
                stage, step, closed, kind = None, rng.randrange(len(opens)), None, "open"
            elif roll < 0.8:
                stage, step, kind = pipeline["won"], len(opens) - 1, "won"
                closed = min(created + datetime.timedelta(days=rng.randrange(5, 120)), NOW)
            else:
                stage, step, kind = pipeline["lost"], rng.randrange(len(opens)), "lost"
                closed = min(created + datetime.timedelta(days=rng.randrange(5, 120)), NOW)
            stage_id = opens[step]["id"] if stage is None else stage["id"]
            title = f"{rng.choice(PRODUCTS)} — {d}"
            amount = f"{rng.randrange(10_000, 5_000_000)}.00"
            expected = (NOW + datetime.timedelta(days=rng.randrange(-60, 200))).date() if kind == "open" else None
            entered = closed or created + datetime.timedelta(days=3 * step)
            yield (d, created, closed or entered, 1, "{}", normalise_text(title), title, amount, "RUB", expected,
                   None, rng.choice(SOURCES), closed, entered, "", company, owner, owner,
                   rng.randrange(1, reasons + 1) if kind == "lost" else None, pipeline["id"], stage_id, False)

    def stage_changes(self, deals: list[tuple]) -> Iterator[tuple]:
        """The history of each deal: it entered the first open stage at creation, then each stage up to its own."""
        ident = 0
        stage_by_id = {s["id"]: (p, s) for p in self.pipelines for s in [*p["open"], p["won"], p["lost"]]}
        for row in deals:
            deal_id, created, stage_id, owner = row[0], row[1], row[20], row[17]
            pipeline, stage = stage_by_id[stage_id]
            opens = pipeline["open"]
            path = opens[: opens.index(stage) + 1] if stage in opens else opens[: 1 + (deal_id % len(opens))]
            if stage not in opens:
                path = [*path, stage]
            previous, when = None, created
            for s in path:
                seconds = None if previous is None else 3 * 86400
                when = created if previous is None else when + datetime.timedelta(days=3)
                ident += 1
                yield (ident, previous["name"] if previous else "", s["name"], when, seconds, owner, deal_id,
                       previous["id"] if previous else None, s["id"])
                previous = s

    def deal_contacts(self) -> Iterator[tuple]:
        ident = 0
        for d in range(1, self.sizes.deals + 1):
            company = self.company_of_deal(d)
            if company <= self.sizes.contacts and company % 5:
                ident += 1
                yield (ident, "decision_maker", company, d)

    def activities(self) -> Iterator[tuple]:
        """Activities spread over the companies, plus a long timeline on the first LONG_TIMELINE_COMPANIES."""
        rng = random.Random(self.seed + 5)
        n_comp = self.sizes.companies
        spread = self.sizes.activities
        total = spread + LONG_TIMELINE_COMPANIES * self.sizes.long_timeline
        for a in range(1, total + 1):
            company = rng.randrange(1, n_comp + 1) if a <= spread else (a - spread - 1) % LONG_TIMELINE_COMPANIES + 1
            roll = rng.random()
            contact = company if roll < 0.4 and company <= self.sizes.contacts and company % 5 else None
            deal = company if 0.4 <= roll < 0.6 and company <= self.sizes.deals else None
            occurred = at(rng)
            k = rng.random()
            subject = rng.choice(SUBJECTS)
            channel = direction = email_from = email_to = phone = place = ""
            duration = result = None
            if k < 0.4:
                kind, direction, phone = "call", rng.choice(("out", "in")), mobile(rng)
                duration, result = rng.randrange(0, 900), rng.randrange(1, len(CALL_RESULTS) + 1)
            elif k < 0.65:
                kind, email_from, email_to = "email", "manager@bench.example", "client@bench.example"
            elif k < 0.75:
                kind, place = "meeting", "Офис клиента"
            elif k < 0.85:
                kind, channel = "message", rng.choice(("telegram", "whatsapp"))
            else:
                kind = "note"
            author = self.company_owner[company]
            yield (a, kind, f"{subject}. Клиент просил вернуться к вопросу позже.", occurred, occurred, author,
                   company, contact, deal, channel, direction, duration, email_from, email_to, "", phone, place, "",
                   subject, result, None)
