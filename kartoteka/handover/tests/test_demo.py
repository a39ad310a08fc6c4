"""The team demo: a past handover of a manager's clients to two colleagues that a click undoes, a cover, and on
that base a head hands a manager over to two colleagues, undoes it, and reads the discipline figures."""

import io

from django.core.management import call_command

from kartoteka.accounts.models import User
from kartoteka.conftest import client_for
from kartoteka.contacts.models import Company
from kartoteka.handover import services
from kartoteka.handover.choices import HandoverStatus
from kartoteka.handover.models import Cover, Handover
from kartoteka.notifications.models import Notification


def test_demo_team_history_and_a_heads_handover_and_undo(db):
    call_command("demo", companies=20, contacts=50, leads=5, stdout=io.StringIO())
    call_command("demo", companies=20, contacts=50, leads=5, stdout=io.StringIO())  # adds nothing

    past = Handover.objects.get()
    novikova, sokolov = User.objects.get(username="novikova"), User.objects.get(username="sokolov")
    assert past.status == HandoverStatus.DONE and past.from_user == novikova and past.created_by == sokolov
    assert {u.username for u in past.receivers.all()} == {"morozova", "lebedev"}
    assert not Company.objects.filter(owner=novikova).exists()
    assert Notification.objects.filter(kind="handover_received").count() == 2
    assert Cover.objects.active().filter(user__username="volkova", substitute__username="smirnov").exists()

    head = User.objects.get(username="kuznetsova")
    orlov, smirnov, volkova = (User.objects.get(username=n) for n in ("orlov", "smirnov", "volkova"))
    before = set(Company.objects.filter(owner=orlov).values_list("pk", flat=True))
    assert before
    handover = services.create_handover(actor=head, from_user=orlov, receivers=[smirnov, volkova])
    services.run_handover(handover)
    assert not Company.objects.filter(owner=orlov).exists()
    assert services.revert_handover(handover, actor=head)[1] == 0
    assert set(Company.objects.filter(owner=orlov).values_list("pk", flat=True)) == before

    back, _kept = services.revert_handover(past, actor=sokolov)  # the demo's own handover undoes too
    assert back and Company.objects.filter(owner=novikova).exists()

    page = client_for(head).get("/reports/?period=month").content.decode()
    assert 'data-testid="discipline-total"' in page
