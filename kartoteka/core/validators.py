"""Normalisers and validators for Russian (and other) client data. They raise ValidationError with a
translated message, so every write path (forms, API, import) names the field and the problem the same way."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

MAX_PHONES = 10
MAX_EMAILS = 10


def normalize_phone(raw: str, region: str | None = None) -> str:
    """Return the number in E.164 (with ';ext=N' when it has an extension) or raise ValidationError."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    try:
        number = phonenumbers.parse(text, region or settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("“%(value)s” is not a phone number."), code="invalid_phone", params={"value": text}
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number."), code="invalid_phone", params={"value": text}
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"{e164};ext={number.extension}" if number.extension else e164


def format_phone(e164: str) -> str:
    """Display form: national for numbers of the default region, international for the rest."""
    number_part, _sep, ext = e164.partition(";ext=")
    try:
        number = phonenumbers.parse(number_part, None)
    except phonenumbers.NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(number)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == settings.DEFAULT_PHONE_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    shown = phonenumbers.format_number(number, fmt)
    if not ext:
        return shown
    ext_label = _("ext.")  # outside the f-string: xgettext does not see calls inside f-strings
    return f"{shown} {ext_label} {ext}"


def normalize_phones(values: list[str] | str | None) -> list[str]:
    """A list of raw numbers (or text with one per line / comma) to unique E.164 values."""
    items = split_multi(values)
    if len(items) > MAX_PHONES:
        raise ValidationError(_("At most %(max)d phone numbers."), code="too_many", params={"max": MAX_PHONES})
    return _unique_normalized(items, normalize_phone)


def _unique_normalized(items: list[str], normalize: Callable[[str], str]) -> list[str]:
    """Each item normalised once, in order; every invalid item is reported, not just the first."""
    result: list[str] = []
    errors: list[ValidationError] = []
    for item in items:
        try:
            value = normalize(item)
        except ValidationError as exc:
            errors.append(exc)
            continue
        if value not in result:
            result.append(value)
    if errors:
        raise ValidationError(errors)
    return result


def normalize_email(raw: str) -> str:
    text = (raw or "").strip()
    try:
        info = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid e-mail address."), code="invalid_email", params={"value": text}
        ) from exc
    return info.normalized.lower()


def normalize_emails(values: list[str] | str | None) -> list[str]:
    items = split_multi(values)
    if len(items) > MAX_EMAILS:
        raise ValidationError(_("At most %(max)d e-mail addresses."), code="too_many", params={"max": MAX_EMAILS})
    return _unique_normalized(items, normalize_email)


def split_multi(values: list[str] | str | None) -> list[str]:
    """Accept a list, or text with one value per line or separated by commas."""
    if values is None:
        return []
    if isinstance(values, str):
        values = values.replace(",", "\n").splitlines()
    return [str(v).strip() for v in values if str(v).strip()]


def validate_inn(value: str) -> str:
    text = (value or "").strip()
    if not text:
        return ""
    try:
        return str(stdnum_inn.validate(text))
    except InvalidChecksum as exc:
        raise ValidationError(_("INN checksum is wrong: check the digits."), code="inn_checksum") from exc
    except (InvalidLength, InvalidFormat, StdnumError) as exc:
        raise ValidationError(_("INN must be 10 digits (company) or 12 digits (person)."), code="inn_format") from exc


def validate_kpp(value: str) -> str:
    text = (value or "").strip().upper()
    if not text:
        return ""
    if len(text) != 9 or not text[:4].isdigit() or not text[6:].isdigit() or not text[4:6].isalnum():
        raise ValidationError(_("KPP must be 9 characters: 4 digits, 2 digits or letters, 3 digits."), code="kpp_format")
    return text


def validate_ogrn(value: str) -> str:
    text = (value or "").strip()
    if not text:
        return ""
    try:
        return str(stdnum_ogrn.validate(text))
    except InvalidChecksum as exc:
        raise ValidationError(_("OGRN checksum is wrong: check the digits."), code="ogrn_checksum") from exc
    except (InvalidLength, InvalidFormat, StdnumError) as exc:
        raise ValidationError(_("OGRN must be 13 digits (company) or 15 digits (entrepreneur)."), code="ogrn_format") from exc


def parse_decimal(value: Any, *, places: int | None = None) -> Decimal | None:
    """A number typed the Russian or the English way ("1 234,50", "1234.5") or sent as a JSON number.
    None for an empty value; ValidationError for anything that is not a finite number. With `places`, at most
    that many digits after the point, and the number is given exactly that many (as the database stores it)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError(_("Enter a number."), code="invalid")
    text = str(value).replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("Enter a number."), code="invalid") from None
    if not number.is_finite():
        raise ValidationError(_("Enter a number."), code="invalid")
    if places is not None:
        if number.normalize().as_tuple().exponent < -places:  # type: ignore[operator]
            raise ValidationError(_("At most %(places)d digits after the decimal point."), code="max_decimal_places",
                                  params={"places": places})
        number = number.quantize(Decimal(1).scaleb(-places))
    return number


def parse_whole(value: Any) -> int | None:
    """A whole number from input (None for empty), or ValidationError."""
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValidationError(_("Enter a whole number."), code="invalid")
    return int(number)


def normalize_currency(value: Any) -> str:
    """An ISO 4217 code such as RUB, upper-cased."""
    code = str(value or "").strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise ValidationError(_("A currency is a three-letter code such as RUB."), code="invalid")
    return code
def storable_datetime(value: datetime.datetime, field: str) -> datetime.datetime:
    """An aware date and time in UTC within years 1900-2999: every database keeps it, whatever offset it came with
    (PostgreSQL refuses offsets beyond ±15:59, and a naive one is read in the site's time zone)."""
    try:
        aware = value if timezone.is_aware(value) else timezone.make_aware(value)
        utc = aware.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not 1900 <= utc.year <= 2999:
        raise ValidationError({field: [_("Enter a date and time between the years 1900 and 2999.")]})
    return utc
