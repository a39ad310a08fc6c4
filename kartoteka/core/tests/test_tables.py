import datetime

from django.template import Context, Template
from django.utils import timezone, translation

from kartoteka.core.tables import DateColumn, DateTimeColumn


def test_date_columns_show_what_the_date_filter_shows() -> None:
    """The list's date cells (rendered without a template per cell) match `{{ value|date:format }}`: the viewer's
    time zone, the same format."""
    value = datetime.datetime(2026, 12, 31, 22, 30, tzinfo=datetime.UTC)  # already 1 January in Moscow
    with translation.override("ru"), timezone.override("Europe/Moscow"):
        for fmt in ("d.m.Y", "d.m.Y H:i"):
            expected = Template("{{ value|date:fmt }}").render(Context({"value": value, "fmt": fmt}))
            assert DateTimeColumn(format=fmt).render(value) == expected
        assert DateTimeColumn(format="d.m.Y H:i").render(value) == "01.01.2027 01:30"
        assert DateColumn(format="d.m.Y").render(datetime.date(2026, 3, 8)) == "08.03.2026"
