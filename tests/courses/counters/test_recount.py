"""`recount_counters`: --check reports a drifted cell or rollup and changes nothing; a recount
repairs it."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from courses.counters import services as svc
from courses.counters.models import CounterCell
from tests.builders import complete, make_cadre
from tests.builders import counter_value as value

pytestmark = pytest.mark.django_db


def test_recount_check_reports_drift_and_recount_repairs_it(world, capsys):
    complete(make_cadre(unit=world.lao_cai.commune, ethnicity="03"), world.course)
    call_command("recount_counters", "--check")
    CounterCell.objects.update(value=7)
    with pytest.raises(CommandError):
        call_command("recount_counters", "--check")
    out = capsys.readouterr().out
    assert "CADRES_TRAINED" in out and "stored 7, expected 1" in out
    assert CounterCell.objects.get().value == 7  # --check changed nothing
    call_command("recount_counters")
    call_command("recount_counters", "--check")
    assert value(svc.CADRES_TRAINED) == 1


def test_a_drifted_rollup_is_reported_and_recount_repairs_it(world, capsys):
    from courses.counters.models import CounterRollup, CounterYearRollup

    complete(
        make_cadre(unit=world.lao_cai.commune, ethnicity="03"),
        world.course,
        at=dt.datetime(2023, 7, 5, tzinfo=dt.UTC),
    )
    rollup = CounterRollup.objects.get(indicator__code=svc.CADRES_TRAINED)
    assert (rollup.month, rollup.province_code, rollup.value) == (dt.date(2023, 7, 1), "10", 1)
    assert CounterYearRollup.objects.get(indicator__code=svc.CADRES_TRAINED).year == 2023
    CounterYearRollup.objects.update(value=3)
    with pytest.raises(CommandError):
        call_command("recount_counters", "--check")
    assert "[year] 2023 10" in capsys.readouterr().out
    assert value(svc.CADRES_TRAINED) == 3  # the national figure reads the rollup
    call_command("recount_counters")
    call_command("recount_counters", "--check")
    assert value(svc.CADRES_TRAINED) == 1
