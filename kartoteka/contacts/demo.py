"""The demo client base behind `kartoteka demo` (and so `make run`).

Two sales teams, about 200 companies and 500 contacts with valid INN/KPP/OGRN and phones, custom field values,
and a year of history: notes, status changes, new phones, promotions, a few reassignments and deletions.

How it is built: the whole base is first drawn as a plan of timed events from `random.Random(seed)` (the same
seed gives the same base), then the events are played in time order through the services, each inside a
`change_context` that names the acting user, so the audit trail and the timeline are the real ones. Services
stamp everything "now"; the last step moves those timestamps back to the planned moments.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from kartoteka.accounts.choices import Role
from kartoteka.accounts.models import User
from kartoteka.accounts.services import create_user
from kartoteka.activities.models import Activity
from kartoteka.activities.services import add_note
from kartoteka.audit.choices import Source as ChangeSource
from kartoteka.audit.context import change_context
from kartoteka.audit.models import ObjectChange
from kartoteka.contacts import demo_data as data
from kartoteka.contacts import services
from kartoteka.contacts.choices import CompanyStatus, LegalForm, Source
from kartoteka.contacts.models import Company, Contact
from kartoteka.core.validators import normalize_phone
from kartoteka.customfields.choices import Entity, FieldType
from kartoteka.customfields.models import CustomField
from kartoteka.customfields.services import save_custom_field

__all__ = ["DEMO_PASSWORD", "DemoSummary", "demo_present", "demo_users", "load_demo"]

DEMO_PASSWORD = "demo-pass-2026"
HISTORY = datetime.timedelta(days=365)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
FORM_PREFIX = {LegalForm.OOO: "ООО", LegalForm.AO: "АО", LegalForm.PAO: "ПАО"}
SOURCE_WEIGHTS = {
    Source.WEBSITE: 25, Source.PHONE: 15, Source.EMAIL: 10, Source.REFERRAL: 15, Source.EVENT: 10,
    Source.COLD: 15, Source.TELEGRAM: 5, Source.OTHER: 5,
}


@dataclass
class DemoSummary:
    companies: int
    contacts: int
    notes: int
    changes: int


def demo_users() -> list[User]:
    """The demo users that exist, heads first within each team, as listed in demo_data.USERS."""
    order = [u[0] for u in data.USERS]
    users = User.objects.filter(username__in=order).select_related("team")
    return sorted(users, key=lambda u: order.index(u.username))


def demo_present() -> bool:
    """The demo users are the marker: the base is loaded in one transaction, so they never exist alone."""
    return User.objects.filter(username__in=[u[0] for u in data.USERS]).exists()


def load_demo(*, companies: int = 200, contacts: int = 500, seed: int = 2026,
              now: datetime.datetime | None = None) -> DemoSummary:
    """Create the demo base. Precondition: `demo_present()` is False (the demo usernames are free).

    One transaction for everything: a failure leaves no half-loaded base behind, and SQLite commits once.
    """
    now = now or timezone.now()
    with transaction.atomic():
        users = {username: create_user(username=username, role=role, password=DEMO_PASSWORD, teams=[team],
                                       first_name=first, last_name=last, email=f"{username}@example.com",
                                       check_password=False)
                 for username, first, last, role, team in data.USERS}
        plan = _Plan(random.Random(seed), now, list(users.values()), _custom_fields())
        plan.draw(companies, contacts)
        first_change = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        plan.play()
        plan.backdate()
    return DemoSummary(
        companies=companies, contacts=contacts, notes=len(plan.activity_times),
        changes=ObjectChange.objects.filter(pk__gt=first_change).count(),
    )


def _custom_fields() -> dict[str, CustomField | None]:
    """The demo's custom fields, reusing same-named ones; an incompatible existing field gets no values."""
    # Definitions are settings that only an admin may save. The CLI acts with the operator's rights; an
    # unsaved admin-role user stands for the operator (definitions record no actor).
    operator = User(username="demo", role=Role.ADMIN, is_active=True)
    wanted = {
        "company_size": (Entity.COMPANY, "Размер компании", FieldType.CHOICE, data.COMPANY_SIZE, 10),
        "annual_revenue": (Entity.COMPANY, "Годовой оборот", FieldType.MONEY, (), 20),
        "preferred_channel": (Entity.CONTACT, "Предпочитаемый канал связи", FieldType.CHOICE, data.CHANNELS, 10),
    }
    result: dict[str, CustomField | None] = {}
    for key, (entity, label, kind, choices, position) in wanted.items():
        existing = CustomField.objects.filter(entity=entity, key=key).first()
        if existing is None:
            existing = save_custom_field(
                CustomField(entity=entity, key=key, label=label, field_type=kind, position=position),
                actor=operator, choices=list(choices),
            )
        compatible = existing.field_type == kind and set(choices) <= set(existing.choices)
        result[key] = existing if compatible else None
    return result


def translit(text: str) -> str:
    return "".join(data.TRANSLIT.get(ch, ch) for ch in text.lower() if ch.isalnum() or ch in "-")


def feminine_surname(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith("ий"):
        return surname[:-2] + "ая"
    return surname  # -ко, -ук and the like do not change


def _check_digit(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


def company_inn(rng: random.Random, region: str) -> str:
    """A 10-digit legal-entity INN: region, tax office, record number, check digit."""
    body = f"{region}{rng.randint(1, 35):02d}{rng.randint(0, 99999):05d}"
    return body + _check_digit(body, (2, 4, 10, 3, 5, 9, 4, 6, 8))


def person_inn(rng: random.Random, region: str) -> str:
    """A 12-digit INN of a person (sole proprietors): two check digits."""
    body = f"{region}{rng.randint(1, 35):02d}{rng.randint(0, 999999):06d}"
    body += _check_digit(body, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
    return body + _check_digit(body, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8))


def company_ogrn(rng: random.Random, region: str, year: int) -> str:
    body = f"1{year % 100:02d}{region}{rng.randint(1, 35):02d}{rng.randint(0, 99999):05d}"
    return body + str(int(body) % 11 % 10)


def person_ogrnip(rng: random.Random, region: str, year: int) -> str:
    while True:  # a remainder of 10-12 has no one-digit form that validators agree on: draw again
        body = f"3{year % 100:02d}{region}{rng.randint(0, 10**9 - 1):09d}"
        if int(body) % 13 < 10:
            return body + str(int(body) % 13)


def _valid_phone(make: Callable[[], str]) -> str:
    """Draw numbers until libphonenumber accepts one (a few area/prefix ranges are unallocated)."""
    for _attempt in range(50):
        raw = make()
        try:
            normalize_phone(raw)
        except ValidationError:
            continue
        return raw
    raise RuntimeError("no valid phone number drawn")


def mobile_phone(rng: random.Random) -> str:
    """A mobile number written the way people type them (the service normalises to E.164)."""
    def make() -> str:
        code, n = rng.choice(data.MOBILE_CODES), f"{rng.randint(0, 9_999_999):07d}"
        return rng.choice((f"+7 ({code}) {n[:3]}-{n[3:5]}-{n[5:]}", f"8 {code} {n[:3]} {n[3:5]} {n[5:]}",
                           f"+7{code}{n}", f"8({code}){n[:3]}-{n[3:5]}-{n[5:]}"))
    return _valid_phone(make)


def landline_phone(rng: random.Random, city: str, extension: bool = False) -> str:
    def make() -> str:
        code = rng.choice(data.CITIES[city][3])
        n = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(9 - len(code)))
        text = f"8 ({code}) {n[:-4]}-{n[-4:-2]}-{n[-2:]}"
        return f"{text} доб. {rng.randint(100, 999)}" if extension else text
    return _valid_phone(make)


@dataclass
class _Event:
    at: datetime.datetime
    actor: User
    run: Callable[[], Iterable[Any]]  # returns the records and activities it wrote


@dataclass(eq=False)  # identity hash: plans key the registry of saved records
class _CompanyPlan:
    created: datetime.datetime
    owner: User
    head: User
    city: str
    domain: str
    end: datetime.datetime  # deletion time, or now: nothing happens to the company after it
    path: str  # status story: "potential", "won" (becomes active), "active", "lost" (active, then former)
    record: dict[str, Any]  # what create_company receives
    reassign: tuple[datetime.datetime, User] | None = None
    contacts: list[_ContactPlan] = field(default_factory=list)

    def owner_at(self, at: datetime.datetime) -> User:
        return self.reassign[1] if self.reassign and at >= self.reassign[0] else self.owner


@dataclass(eq=False)
class _ContactPlan:
    created: datetime.datetime
    end: datetime.datetime
    address: str  # first name and patronymic, as a client is addressed in a note
    owner: User
    company: _CompanyPlan | None
    record: dict[str, Any]  # what create_contact receives

    def owner_at(self, at: datetime.datetime) -> User:
        return self.company.owner_at(at) if self.company else self.owner


class _Plan:
    def __init__(self, rng: random.Random, now: datetime.datetime, users: list[User],
                 fields: dict[str, CustomField | None]) -> None:
        self.rng, self.now, self.fields = rng, now, fields
        self.start = now - HISTORY
        self.tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        team_of = {username: team for username, *_names, team in data.USERS}
        self.heads = {team_of[u.username]: u for u in users if u.role == Role.HEAD}
        self.managers: dict[str, list[User]] = {}
        for user in users:
            if user.role == Role.MANAGER:
                self.managers.setdefault(team_of[user.username], []).append(user)
        self.events: list[_Event] = []
        self.saved: dict[_CompanyPlan | _ContactPlan, Any] = {}  # plan -> the record as the services last returned it
        self.activity_times: dict[int, datetime.datetime] = {}
        self.created_at: dict[tuple[type, int], datetime.datetime] = {}
        self.updated_at: dict[tuple[type, int], datetime.datetime] = {}
        self.names: set[str] = set()

    # --- time -------------------------------------------------------------------------------------------
    def between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
        """A moment in (start, end), in working hours (Mon-Fri, 9-19 local time) when the day allows."""
        if end <= start:
            return start + datetime.timedelta(minutes=1)
        raw = start + (end - start) * self.rng.random()
        local = raw.astimezone(self.tz)
        day = local.date() - datetime.timedelta(days=max(local.weekday() - 4, 0))
        candidate = datetime.datetime.combine(
            day, datetime.time(self.rng.randint(9, 18), self.rng.randint(0, 59), self.rng.randint(0, 59)), self.tz)
        return candidate if start < candidate < end else raw

    def add(self, at: datetime.datetime, actor: User, run: Callable[[], Iterable[Any]]) -> None:
        self.events.append(_Event(at, actor, run))

    # --- drawing the plan -----------------------------------------------------------------------------------
    def draw(self, companies: int, contacts: int) -> None:
        plans = [self.draw_company() for _i in range(companies)]
        with_company = round(contacts * 0.85) if plans else 0
        people = [self.draw_contact(self.rng.choice(plans) if j < with_company else None) for j in range(contacts)]
        for plan in plans:
            self.draw_company_history(plan)
        for person in people:
            self.draw_contact_history(person)

    def draw_company(self) -> _CompanyPlan:
        rng = self.rng
        cities = list(data.CITIES)
        city = rng.choices(cities, weights=[data.CITY_WEIGHTS.get(c, 1) for c in cities])[0]
        region, team = data.CITIES[city][0], data.CITIES[city][4]
        owner, head = rng.choice(self.managers[team]), self.heads[team]
        created = self.between(self.start, self.now - 10 * DAY)
        form = rng.choices([LegalForm.OOO, LegalForm.AO, LegalForm.PAO, LegalForm.IP], weights=[75, 12, 4, 9])[0]
        industry = rng.choice(list(data.INDUSTRIES))
        founded = rng.randint(2002, 2023)
        if form == LegalForm.IP:
            last, first, middle = self.person_name(rng.random() < 0.6)
            name, domain = f"ИП {last} {first} {middle}", ""
            ids = {"inn": person_inn(rng, region), "ogrn": person_ogrnip(rng, region, founded) if rng.random() < 0.7 else ""}
            emails = [f"{translit(first)}.{translit(last)}@{rng.choice(data.PUBLIC_MAIL)}"]
        else:
            brand, domain = self.brand(industry)
            name = f"{FORM_PREFIX[form]} «{brand}»"
            ids = {"inn": (inn := company_inn(rng, region)), "kpp": inn[:4] + rng.choice(("01001", "01001", "43001")),
                   "ogrn": company_ogrn(rng, region, founded) if rng.random() < 0.7 else ""}
            emails = [f"{rng.choice(data.COMPANY_MAILBOXES)}@{domain}"] + ([f"buh@{domain}"] if rng.random() < 0.3 else [])
        phones = [landline_phone(rng, city)] if domain else []
        if not phones or rng.random() < 0.4:
            phones.append(mobile_phone(rng))
        path = rng.choices(["potential", "won", "active", "lost"], weights=[40, 32, 16, 12])[0]
        record: dict[str, Any] = {
            "name": name, "legal_form": form, **ids, "industry": industry,
            "website": f"https://{rng.choice(('', 'www.'))}{domain}" if domain and rng.random() < 0.85 else "",
            "legal_address": (address := self.address(city)),
            "postal_address": address if rng.random() < 0.6 else self.address(city),
            "phones": phones, "emails": emails,
            "status": CompanyStatus.ACTIVE if path in ("active", "lost") else CompanyStatus.POTENTIAL,
            "source": rng.choices(list(SOURCE_WEIGHTS), weights=list(SOURCE_WEIGHTS.values()))[0],
            "description": rng.choice(data.DESCRIPTIONS) if rng.random() < 0.25 else "",
            "tags": rng.sample(data.TAGS, rng.choices([0, 1, 2], weights=[62, 30, 8])[0]),
            "custom_fields": self.company_values(form),
        }
        creator = head if rng.random() < 0.15 else owner
        if creator is head:
            record["owner"] = owner.pk  # the head takes a lead in and hands it to a manager
        plan = _CompanyPlan(created, owner, head, city, domain, end=self.now, path=path, record=record)
        if rng.random() < 0.02:
            plan.end = self.between(max(created + 5 * DAY, self.now - 20 * DAY), self.now - HOUR)
            self.add(plan.end, owner, lambda: [self.keep(plan, services.delete_company(self.saved[plan], actor=owner))])
        elif rng.random() < 0.05 and len(self.managers[team]) > 1 and self.now - created > 40 * DAY:
            new_owner = rng.choice([m for m in self.managers[team] if m != owner])
            plan.reassign = (self.between(created + 30 * DAY, self.now - 5 * DAY), new_owner)
            self.add(plan.reassign[0], head, lambda: self.reassign(plan, new_owner))
        self.add(created, creator, lambda: [self.keep(plan, services.create_company(actor=creator, data=record))])
        return plan

    def draw_contact(self, company: _CompanyPlan | None) -> _ContactPlan:
        rng = self.rng
        male = rng.random() < 0.55
        last, first, middle = self.person_name(male)
        if company is not None:
            created = self.between(company.created + HOUR, min(company.created + 40 * DAY, company.end - HOUR))
            owner = company.owner_at(created)
        else:
            created = self.between(self.start, self.now - 2 * DAY)
            owner = rng.choice([m for team in self.managers.values() for m in team])
        position = rng.choice(data.POSITIONS) if company else rng.choice(("", "", "Частный клиент", "Самозанятый"))
        login = rng.choice((f"{translit(first)[0]}.{translit(last)}", f"{translit(first)}.{translit(last)}"))
        mail_domain = company.domain if company and company.domain else rng.choice(data.PUBLIC_MAIL)
        phones = [mobile_phone(rng)] if rng.random() < 0.9 else []
        if company and (not phones or rng.random() < 0.3):
            phones.append(landline_phone(rng, company.city, extension=rng.random() < 0.4))
        telegram = ""
        if rng.random() < 0.3:
            telegram = rng.choice((f"{translit(first)}_{translit(last)}", f"{translit(last)}{rng.randint(10, 99)}"))
            telegram = telegram.replace("-", "_")[:32]
        birthday = datetime.date(rng.randint(1962, 2001), rng.randint(1, 12), rng.randint(1, 28)) \
            if rng.random() < 0.4 else None
        channel = self.fields["preferred_channel"]
        record = {
            "last_name": last, "first_name": first, "middle_name": middle, "position": position,
            "phones": phones, "emails": [f"{login}@{mail_domain}"] if rng.random() < 0.85 else [],
            "telegram": telegram, "whatsapp": phones[0] if phones and rng.random() < 0.2 else "",
            "birthday": birthday,
            "source": rng.choices(list(SOURCE_WEIGHTS), weights=list(SOURCE_WEIGHTS.values()))[0],
            "tags": [data.DECISION_MAKER_TAG] if position in data.DIRECTOR_POSITIONS and rng.random() < 0.6 else [],
            "custom_fields": {"preferred_channel": "Telegram" if telegram and rng.random() < 0.6 else rng.choice(
                data.CHANNELS)} if channel is not None and rng.random() < 0.55 else {},
        }
        end = company.end if company else self.now
        person = _ContactPlan(created, end, f"{first} {middle}", owner, company, record)
        if company is not None:
            company.contacts.append(person)
        elif rng.random() < 0.03:
            person.end = self.between(created + DAY, self.now - HOUR)
            self.add(person.end, owner, lambda: [self.keep(person, services.delete_contact(self.saved[person], actor=owner))])

        def create() -> list[Any]:
            if company is not None:
                record["company"] = self.saved[company].pk
            return [self.keep(person, services.create_contact(actor=owner, data=record))]
        self.add(created, owner, create)
        return person

    def draw_company_history(self, plan: _CompanyPlan) -> None:
        rng, path = self.rng, plan.path
        if path == "won" and plan.end - plan.created > 14 * DAY:
            won = self.between(plan.created + 7 * DAY, plan.end - DAY)
            change: dict[str, Any] = {"status": CompanyStatus.ACTIVE}
            values = plan.record["custom_fields"]
            if "company_size" in values and "annual_revenue" not in values and self.fields["annual_revenue"]:
                low, high = data.REVENUE[data.COMPANY_SIZE.index(values["company_size"])]
                change["custom_fields"] = {"annual_revenue": str(rng.randint(low // 10**5, high // 10**5) * 10**5)}
            self.update(plan, won, change)
            self.note(plan, won + datetime.timedelta(minutes=rng.randint(5, 90)), rng.choice(data.WON_NOTES),
                      author=plan.owner_at(won))
        if path == "lost" and plan.end - plan.created > 60 * DAY:
            lost = self.between(plan.created + 45 * DAY, plan.end - DAY)
            self.update(plan, lost, {"status": CompanyStatus.FORMER})
            self.note(plan, lost + datetime.timedelta(minutes=rng.randint(5, 60)), rng.choice(data.LOST_NOTES),
                      author=plan.owner_at(lost))
        if plan.domain and rng.random() < 0.1:
            moved = self.between(plan.created + DAY, plan.end - HOUR)
            self.update(plan, moved, {"phones": [landline_phone(rng, plan.city), *plan.record["phones"][1:]]})
        low, high = {"potential": (0, 2), "won": (1, 4), "active": (2, 5), "lost": (1, 3)}[path]
        for _n in range(rng.randint(low, high)):
            at = self.between(plan.created + HOUR, plan.end - HOUR)
            author = plan.head if rng.random() < 0.2 else plan.owner_at(at)
            known = [c for c in plan.contacts if c.created < at]
            templates = data.COMPANY_NOTES if known else [t for t in data.COMPANY_NOTES if "{contact}" not in t]
            self.note(plan, at, rng.choice(templates), author=author,
                      contact=rng.choice(known).address if known else "")

    def draw_contact_history(self, person: _ContactPlan) -> None:
        rng = self.rng
        if person.end - person.created < 2 * DAY:
            return
        if rng.random() < 0.25:
            for _n in range(rng.randint(1, 2)):
                self.note(person, self.between(person.created + HOUR, person.end - HOUR), rng.choice(data.CONTACT_NOTES))
        birthday = person.record["birthday"]
        if birthday and rng.random() < 0.5:
            for year in (self.now.year - 1, self.now.year):
                at = datetime.datetime.combine(birthday.replace(year=year), datetime.time(10, 15), self.tz)
                if person.created < at < person.end:
                    self.note(person, at, "Поздравили с днём рождения, отправили открытку.")
        roll = rng.random()
        at = self.between(person.created + DAY, person.end - HOUR)
        position, phones = person.record["position"], person.record["phones"]
        if roll < 0.15 and position in data.PROMOTIONS:
            self.update(person, at, {"position": data.PROMOTIONS[position]})
        elif roll < 0.25:
            self.update(person, at, {"phones": [*phones, mobile_phone(rng)]})
        elif roll < 0.3 and not person.record["telegram"]:
            self.update(person, at, {"telegram": f"{translit(person.record['last_name'])}_{rng.randint(10, 99)}"})

    # --- pieces -------------------------------------------------------------------------------------------
    def person_name(self, male: bool) -> tuple[str, str, str]:
        surname, patronymic = self.rng.choice(data.SURNAMES), self.rng.choice(data.PATRONYMICS)
        if male:
            return surname, self.rng.choice(data.MALE_FIRST), patronymic[0]
        return feminine_surname(surname), self.rng.choice(data.FEMALE_FIRST), patronymic[1]

    def brand(self, industry: str) -> tuple[str, str]:
        """A unique company name in the industry's style and its .ru domain."""
        for attempt in range(100):
            root, root_lat = self.rng.choice(data.NAME_ROOTS)
            tail, tail_lat = self.rng.choice(data.INDUSTRIES[industry])
            joiner = self.rng.choice(("", "-", " "))
            brand = f"{root}{joiner}{tail}" + (f"-{attempt}" if attempt > 50 else "")
            if brand not in self.names:
                self.names.add(brand)
                suffix = f"-{attempt}" if attempt > 50 else ""
                return brand, f"{root_lat}{'-' if joiner == '-' else ''}{tail_lat}{suffix}.ru"
        raise RuntimeError("no free company name")

    def address(self, city: str) -> str:
        rng = self.rng
        _region, first_index, span, _codes, _team = data.CITIES[city]
        street = rng.choice(data.MOSCOW_STREETS if city == "Москва" else data.STREETS)
        extra = rng.choice(("", f", стр. {rng.randint(1, 5)}", f", офис {rng.randint(1, 520)}",
                            f", пом. {rng.randint(1, 40)}"))
        return f"{first_index + rng.randint(0, span)}, г. {city}, {street}, д. {rng.randint(1, 120)}{extra}"

    def company_values(self, form: str) -> dict[str, str]:
        rng, values = self.rng, {}
        if self.fields["company_size"] is not None and rng.random() < 0.7:
            weights = [90, 10, 0, 0, 0] if form == LegalForm.IP else (
                [0, 5, 25, 40, 30] if form == LegalForm.PAO else [30, 35, 18, 12, 5])
            size = rng.choices(range(len(data.COMPANY_SIZE)), weights=weights)[0]
            values["company_size"] = data.COMPANY_SIZE[size]
            if self.fields["annual_revenue"] is not None and rng.random() < 0.6:
                low, high = data.REVENUE[size]
                values["annual_revenue"] = str(rng.randint(low // 100_000, high // 100_000) * 100_000)
        return values

    def fill(self, template: str, at: datetime.datetime, contact: str = "") -> str:
        rng = self.rng
        soon = (at + datetime.timedelta(days=rng.randint(3, 30))).astimezone(self.tz)
        return template.format(
            contact=contact, date=soon.strftime("%d.%m"), amount=f"{rng.randint(80, 9000) * 1000:,}".replace(",", " "),
            pct=rng.choice((3, 5, 7, 10)), days=rng.choice((14, 30, 45, 60)), num=f"{rng.randint(10, 999)}/{at.year % 100}",
            platform=rng.choice(data.PLATFORMS),
        )

    def note(self, plan: _CompanyPlan | _ContactPlan, at: datetime.datetime, template: str, *,
             author: User | None = None, contact: str = "") -> None:
        author = author or plan.owner_at(at)
        body = self.fill(template, at, contact)
        self.add(at, author, lambda: [add_note(self.saved[plan], actor=author, body=body)])

    def update(self, plan: _CompanyPlan | _ContactPlan, at: datetime.datetime, change: dict[str, Any]) -> None:
        actor = plan.owner_at(at)
        update = services.update_company if isinstance(plan, _CompanyPlan) else services.update_contact
        self.add(at, actor, lambda: [self.keep(plan, update(self.saved[plan], actor=actor, data=change))])

    def reassign(self, plan: _CompanyPlan, new_owner: User) -> list[Any]:
        """The head hands a client over with its people, as the bulk action in the list does."""
        plans: list[_CompanyPlan | _ContactPlan] = [plan, *(p for p in plan.contacts if p in self.saved)]
        services.bulk_assign([self.saved[p] for p in plans], actor=plan.head, owner=new_owner)
        return [self.keep(p, type(self.saved[p]).objects.get(pk=self.saved[p].pk)) for p in plans]

    def keep(self, plan: _CompanyPlan | _ContactPlan, obj: Any) -> Any:
        self.saved[plan] = obj
        return obj

    # --- playing and backdating ---------------------------------------------------------------------------
    def play(self) -> None:
        """Run the events oldest first (a stable sort keeps plan order on ties), each as its own actor."""
        for event in sorted(self.events, key=lambda e: e.at):
            with change_context(actor=event.actor, source=ChangeSource.CLI, at=event.at):
                written = list(event.run())
            for obj in written:
                if isinstance(obj, Activity):
                    self.activity_times[obj.pk] = event.at
                else:
                    key = (type(obj), obj.pk)
                    self.created_at.setdefault(key, event.at)
                    self.updated_at[key] = event.at

    def backdate(self) -> None:
        """Move the timestamps the services stamped "now" to the planned moments.

        This is the demo's only write that bypasses the services, on purpose: no service may rewrite
        history, and the demo needs a past. Queryset .update() leaves the audit trail and versions alone.
        The audit rows themselves are append-only: they were written with the planned times (play()).
        """
        for model in (Company, Contact):
            _set_times(model, "created_at", {pk: at for (m, pk), at in self.created_at.items() if m is model})
            _set_times(model, "updated_at", {pk: at for (m, pk), at in self.updated_at.items() if m is model})
        _set_times(Activity, "occurred_at", self.activity_times)
        _set_times(Activity, "created_at", self.activity_times)


def _set_times(model: type[models.Model], field_name: str, times: dict[int, datetime.datetime]) -> None:
    items = list(times.items())
    for start in range(0, len(items), 200):  # 200 rows keep the query under SQLite's parameter limit
        chunk = items[start:start + 200]
        value = Case(*[When(pk=pk, then=Value(at)) for pk, at in chunk], output_field=models.DateTimeField())
        model._default_manager.filter(pk__in=[pk for pk, _at in chunk]).update(**{field_name: value})
