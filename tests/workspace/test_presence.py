from datetime import timedelta

from django.utils import timezone

from kundenversteher.workspace import presence
from kundenversteher.workspace.models import AgentPresence
from tests.cases.factories import make_personas


def test_a_connected_user_is_online_until_the_window_passes_without_heartbeat(db):
    people = make_personas()
    start = timezone.now()

    presence.mark_connected(user_id=people.anna.pk, now=start)

    assert presence.is_online(user_id=people.anna.pk, now=start + timedelta(seconds=89))
    assert not presence.is_online(user_id=people.anna.pk, now=start + timedelta(seconds=91))


def test_a_heartbeat_keeps_the_user_online(db):
    people = make_personas()
    start = timezone.now()
    presence.mark_connected(user_id=people.anna.pk, now=start)

    presence.mark_seen(user_id=people.anna.pk, now=start + timedelta(seconds=60))

    assert presence.is_online(user_id=people.anna.pk, now=start + timedelta(seconds=120))


def test_two_tabs_keep_the_user_online_when_one_closes(db):
    people = make_personas()
    now = timezone.now()
    presence.mark_connected(user_id=people.anna.pk, now=now)
    presence.mark_connected(user_id=people.anna.pk, now=now)

    presence.mark_disconnected(user_id=people.anna.pk, now=now)

    assert AgentPresence.objects.get(user=people.anna).connections == 1
    assert presence.online_user_ids(now=now) == {people.anna.pk}


def test_closing_the_last_tab_makes_the_user_offline_at_once(db):
    people = make_personas()
    now = timezone.now()
    presence.mark_connected(user_id=people.anna.pk, now=now)

    presence.mark_disconnected(user_id=people.anna.pk, now=now)
    presence.mark_disconnected(user_id=people.anna.pk, now=now)  # a late duplicate

    assert AgentPresence.objects.get(user=people.anna).connections == 0
    assert presence.online_user_ids(now=now) == set()


def test_online_users_can_be_limited_to_given_ids(db):
    people = make_personas()
    now = timezone.now()
    presence.mark_connected(user_id=people.anna.pk, now=now)
    presence.mark_connected(user_id=people.ben.pk, now=now)

    assert presence.online_user_ids(user_ids=[people.ben.pk, people.sabine.pk], now=now) == {
        people.ben.pk
    }


def test_a_user_never_connected_is_offline(db):
    people = make_personas()

    assert not presence.is_online(user_id=people.sabine.pk)
