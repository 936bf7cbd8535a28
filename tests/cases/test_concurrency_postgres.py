"""Two agents take the same case at the same moment on two real connections (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from kundenversteher.cases import services
from kundenversteher.cases.errors import ConcurrentUpdate
from kundenversteher.cases.models import Case
from kundenversteher.events.models import Event
from tests.cases.factories import make_case, make_personas

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks and two connections"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_two_agents_assigning_at_once_one_wins_one_gets_concurrent_update():
    personas = make_personas()
    case = make_case()
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def take(name: str, user) -> None:
        try:
            barrier.wait(timeout=10)
            services.assign_case(
                case_id=case.pk, agent_id=user.pk, by=user, expected_version=case.version
            )
            outcomes[name] = "won"
        except ConcurrentUpdate as exc:
            outcomes[name] = str(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [
        threading.Thread(target=take, args=("anna", personas.anna)),
        threading.Thread(target=take, args=("sabine", personas.sabine)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["anna", "sabine"]
    assert list(outcomes.values()).count("won") == 1
    winner = next(name for name, result in outcomes.items() if result == "won")
    loser = next(name for name in outcomes if name != winner)
    assert outcomes[loser] == (
        f"Anliegen {case.number} wurde bereits von {winner.capitalize()} übernommen."
    )
    stored = Case.objects.get(pk=case.pk)
    assert (stored.assignee.username, stored.version) == (winner, case.version + 1)
    assert Event.objects.filter(kind="case.assigned", case_id=case.pk).count() == 1


def test_concurrent_case_numbers_never_collide():
    make_personas()
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def open_some() -> None:
        try:
            barrier.wait(timeout=10)
            numbers.extend(make_case().number for _ in range(5))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_some) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(1, 21))
