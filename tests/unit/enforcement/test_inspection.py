"""Tests for I-DRAW, the draw of 双随机、一公开 (services/enforcement/domain/inspection.py).

The statistical tests are deterministic: their seeds are fixed ("uniform-0", "uniform-1", ...), so
they pass or fail the same way on every run. Their threshold is the 0.999 quantile of the
chi-square distribution, from the Wilson–Hilferty approximation (scipy is not installed).
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import replace
from datetime import date
from decimal import Decimal
from statistics import NormalDist

import pytest

from services.enforcement.domain.inspection import (
    ALGORITHM,
    RESULTS_PUBLICATION_WORKING_DAYS,
    DrawRefused,
    InspectionItem,
    Inspector,
    Target,
    draw,
    new_seed,
    results_publication_due,
    verify,
)
from shared.calendar import HOLIDAY_TABLE_ENV, WorkingDayCalendar
from shared.errors import RuleViolation

ON = date(2026, 3, 2)
ANY = InspectionItem()


def uscc(i: int) -> str:
    return f"91445203MA{i:08d}"


def target(i: int, **fields) -> Target:
    defaults = dict(uscc=uscc(i), name=f"揭东区某商行{i}", category="enterprise", status="active",
                    sector="food_retail", town="曲溪街道", credit_risk="low")
    return Target(**{**defaults, **fields})


def targets(n: int) -> list[Target]:
    return [target(i) for i in range(n)]


def inspectors(n: int, **fields) -> list[Inspector]:
    return [Inspector(staff_id=f"S{j:03d}", name=f"检查员{j}", **fields) for j in range(n)]


def chi_square(counts: Counter, keys, expected: float) -> float:
    return sum((counts.get(k, 0) - expected) ** 2 / expected for k in keys)


def chi_square_critical(df: int, p: float = 0.999) -> float:
    """Wilson–Hilferty: χ²_p(df) ≈ df·(1 − 2/(9df) + z_p·√(2/(9df)))³."""
    z = NormalDist().inv_cdf(p)
    a = 2 / (9 * df)
    return df * (1 - a + z * a ** 0.5) ** 3


def test_i_draw_chi_square_critical_value_matches_the_tables():
    # Tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4) give χ²_0.999(39) = 72.055, χ²_0.999(9) = 27.877.
    assert chi_square_critical(39) == pytest.approx(72.055, abs=0.2)
    assert chi_square_critical(9) == pytest.approx(27.877, abs=0.3)


# --------------------------------------------------------------------------- reproducibility


def test_i_draw_same_seed_and_inputs_give_the_same_result_whatever_the_order_of_the_libraries():
    library, roster = targets(60), inspectors(8)
    roster[:3] = [replace(i, conflicts=frozenset({uscc(3), uscc(7)})) for i in roster[:3]]
    first = draw(seed="2026-R1", targets=library, item=ANY, inspectors=roster, sample_size=10, on=ON)
    again = draw(seed="2026-R1", targets=reversed(library), item=ANY, inspectors=roster[::-1],
                 sample_size=10, on=ON)
    shuffled = draw(seed="2026-R1", targets=library[30:] + library[:30], item=ANY,
                    inspectors=roster[4:] + roster[:4], sample_size=10, on=ON)
    assert first == again == shuffled
    assert first.as_dict() == again.as_dict()
    assert first.algorithm == ALGORITHM == "I-DRAW/sha256-rank/v1"


def test_i_draw_a_different_seed_gives_a_different_selection():
    library, roster = targets(60), inspectors(8)
    selections = {tuple(a.uscc for a in draw(seed=f"seed-{k}", targets=library, item=ANY, inspectors=roster,
                                             sample_size=5, on=ON).assignments) for k in range(20)}
    assert len(selections) == 20  # 60-choose-5 is 5.4 million: no two seeds should agree


def test_i_draw_follows_the_published_algorithm_step_by_step():
    """I-DRAW: an independent re-implementation from the module docstring alone gives the same draw."""
    library = [target(i, town=("曲溪街道", "玉滘镇")[i % 2]) for i in range(30)]
    roster = inspectors(6)
    roster[1] = replace(roster[1], conflicts=frozenset({uscc(i) for i in range(0, 30, 3)}))
    roster[4] = replace(roster[4], cert_expires=date(2026, 3, 1))
    extra = {"S002": frozenset({uscc(5), uscc(7)})}
    item = InspectionItem(towns=frozenset({"玉滘镇"}))
    result = draw(seed="公开摇号-01", targets=library, item=item, inspectors=roster,
                  sample_ratio=Decimal("0.3"), team_size=2, on=ON, extra_conflicts=extra)

    def h(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    candidates = [t.uscc for t in library if t.town == "玉滘镇"]  # 15
    assert result.eligible_count == 15 and result.sample_size == 5  # ceil(0.3 × 15) = ceil(4.5)
    drawn = sorted(candidates, key=lambda u: h(f"公开摇号-01|target|{u}"))[:5]
    conflicts = {i.staff_id: set(i.conflicts) | set(extra.get(i.staff_id, ())) for i in roster}
    load = Counter()
    expected = []
    for u in drawn:
        eligible = [i.staff_id for i in roster if (i.cert_expires is None or i.cert_expires >= ON)
                    and u not in conflicts[i.staff_id]]
        team = sorted(eligible, key=lambda s: (load[s], h(f"公开摇号-01|inspector|{u}|{s}"), s))[:2]
        load.update(team)
        expected.append((u, tuple(team), h(f"公开摇号-01|target|{u}")))
    assert [(a.uscc, a.inspectors, a.rank) for a in result.assignments] == expected
    assert result.candidates_digest == h("\n".join(sorted(candidates)))
    lines = []
    for i in sorted(roster, key=lambda i: i.staff_id):
        expires = i.cert_expires.isoformat() if i.cert_expires else ""
        lines.append(f"{i.staff_id}|{','.join(sorted(conflicts[i.staff_id]))}|{expires}")
    assert result.roster_digest == h("\n".join(lines))
    assert lines[2] == f"S002|{uscc(5)},{uscc(7)}|" and lines[4].endswith("|2026-03-01")


# --------------------------------------------------------------------------- uniformity


def test_i_draw_target_selection_is_uniform_over_seeds():
    """I-DRAW: 40 candidates, 4 drawn, 2,000 seeds; each candidate is drawn 200 times on average."""
    library, roster = targets(40), inspectors(2)
    counts = Counter()
    for k in range(2000):
        result = draw(seed=f"uniform-{k}", targets=library, item=ANY, inspectors=roster, sample_size=4, on=ON)
        assert len({a.uscc for a in result.assignments}) == 4
        counts.update(a.uscc for a in result.assignments)
    statistic = chi_square(counts, [t.uscc for t in library], expected=2000 * 4 / 40)
    assert statistic < chi_square_critical(39), (statistic, counts)


def test_i_draw_inspector_assignment_is_uniform_over_the_eligible_inspectors():
    """I-DRAW: one target, 12 inspectors of whom 2 are conflicted and 1 has an expired certificate:
    over 2,000 seeds the team of 2 is spread evenly over the 9 eligible, never the other 3."""
    library = targets(1)
    roster = inspectors(12)
    roster[0] = replace(roster[0], conflicts=frozenset({uscc(0)}))
    roster[5] = replace(roster[5], cert_expires=date(2026, 1, 31))
    extra = {"S007": frozenset({uscc(0)})}
    counts = Counter()
    pairs = Counter()
    for k in range(2000):
        (assignment,) = draw(seed=f"uniform-{k}", targets=library, item=ANY, inspectors=roster, sample_size=1,
                             on=ON, extra_conflicts=extra).assignments
        counts.update(assignment.inspectors)
        pairs[frozenset(assignment.inspectors)] += 1
    eligible = [i.staff_id for i in roster if i.staff_id not in {"S000", "S005", "S007"}]
    assert set(counts) == set(eligible)
    assert chi_square(counts, eligible, expected=2000 * 2 / 9) < chi_square_critical(8)
    # the pairs themselves are uniform too: 36 possible teams
    assert len(pairs) == 36
    assert chi_square(pairs, list(pairs), expected=2000 / 36) < chi_square_critical(35)


def test_i_draw_spreads_the_work_evenly_between_inspectors():
    """I-DRAW: without conflicts the teams' loads differ by at most one (least-loaded first)."""
    result = draw(seed=new_seed(), targets=targets(200), item=ANY, inspectors=inspectors(7),
                  sample_size=50, on=ON)
    load = Counter(s for a in result.assignments for s in a.inspectors)
    assert sum(load.values()) == 100 and max(load.values()) - min(load.values()) <= 1


# --------------------------------------------------------------------------- teams


def test_i_draw_every_target_gets_at_least_two_distinct_inspectors():
    result = draw(seed="teams", targets=targets(100), item=ANY, inspectors=inspectors(5), sample_size=40, on=ON)
    assert len(result.assignments) == 40
    assert all(len(set(a.inspectors)) == len(a.inspectors) == 2 for a in result.assignments)


def test_i_draw_team_of_three():
    result = draw(seed="three", targets=targets(30), item=ANY, inspectors=inspectors(4), sample_size=10,
                  team_size=3, on=ON)
    assert result.team_size == 3
    assert all(len(set(a.inspectors)) == 3 for a in result.assignments)


def test_i_draw_no_inspector_on_a_target_they_are_conflicted_with():
    """I-DRAW: own conflicts (回避) and the round's extra conflicts are both respected, across many seeds."""
    library = targets(20)
    roster = inspectors(4)
    # S000 may not inspect the even targets, S001 the first ten
    roster[0] = replace(roster[0], conflicts=frozenset(uscc(i) for i in range(0, 20, 2)))
    roster[1] = replace(roster[1], conflicts=frozenset(uscc(i) for i in range(10)))
    extra = {"S002": frozenset({uscc(1), uscc(11)})}
    forbidden = {"S000": set(range(0, 20, 2)), "S001": set(range(10)), "S002": {1, 11}}
    for k in range(200):
        result = draw(seed=f"conflict-{k}", targets=library, item=ANY, inspectors=roster, sample_size=10,
                      on=ON, extra_conflicts=extra)
        for a in result.assignments:
            for s in a.inspectors:
                assert a.uscc not in {uscc(i) for i in forbidden.get(s, ())}, (k, a)
    # target 0 is barred to S000 and S001: its team can only be S002 and S003
    result = draw(seed="x", targets=library[:1], item=ANY, inspectors=roster, sample_size=1, on=ON,
                  extra_conflicts=extra)
    assert set(result.assignments[0].inspectors) == {"S002", "S003"}


def test_i_draw_an_inspector_with_an_expired_certificate_is_not_drawn():
    roster = inspectors(3)
    roster[0] = replace(roster[0], cert_expires=date(2026, 3, 1))   # expired the day before the draw
    roster[1] = replace(roster[1], cert_expires=ON)                 # valid through the draw date
    result = draw(seed="cert", targets=targets(10), item=ANY, inspectors=roster, sample_size=10, on=ON)
    assert all(set(a.inspectors) == {"S001", "S002"} for a in result.assignments)
    # the day before, S000 was still certified and takes part
    earlier = draw(seed="cert", targets=targets(10), item=ANY, inspectors=roster, sample_size=10,
                   on=date(2026, 3, 1))
    assert any("S000" in a.inspectors for a in earlier.assignments)


# --------------------------------------------------------------------------- the inspection item


MIXED = [
    target(0, category="enterprise", sector="food_retail", town="曲溪街道", credit_risk="low"),
    target(1, category="individual_business", sector="catering", town="玉滘镇", credit_risk="high"),
    target(2, category="cooperative", sector="agriculture", town="埔田镇", credit_risk="medium"),
    target(3, category="enterprise", sector="catering", town="埔田镇", credit_risk="high"),
    target(4, category="individual_business", sector="food_retail", town="曲溪街道", credit_risk="medium"),
    target(5, status="deregistered"),
    target(6, status="revoked"),
    target(7, status="deregistration_noticed"),
]


def drawn_from(item: InspectionItem) -> set[str]:
    result = draw(seed="filter", targets=MIXED, item=item, inspectors=inspectors(2), sample_ratio=Decimal(1),
                  on=ON)
    assert result.eligible_count == len(result.assignments)
    return {a.uscc for a in result.assignments}


@pytest.mark.parametrize(("item", "expected"), [
    (InspectionItem(categories=frozenset({"enterprise"})), {0, 3}),
    (InspectionItem(categories={"cooperative", "individual_business"}), {1, 2, 4}),
    (InspectionItem(sectors=frozenset({"catering"})), {1, 3}),
    (InspectionItem(towns=frozenset({"埔田镇"})), {2, 3}),
    (InspectionItem(credit_risks=frozenset({"high"})), {1, 3}),
    (InspectionItem(categories=frozenset({"enterprise"}), credit_risks=frozenset({"high"})), {3}),
    (InspectionItem(), {0, 1, 2, 3, 4}),  # deregistered, revoked and noticed entities are never drawn by default
    (InspectionItem(statuses=frozenset({"active", "deregistration_noticed"})), {0, 1, 2, 3, 4, 7}),
])
def test_i_draw_the_inspection_item_filters_the_target_library(item, expected):
    assert drawn_from(item) == {uscc(i) for i in expected}


def test_i_draw_deregistered_entities_are_never_drawn_by_default():
    library = [target(i, status="deregistered" if i % 2 else "active") for i in range(40)]
    for k in range(50):
        result = draw(seed=f"dereg-{k}", targets=library, item=ANY, inspectors=inspectors(2), sample_size=20,
                      on=ON)
        assert result.eligible_count == 20
        assert all(int(a.uscc[-8:]) % 2 == 0 for a in result.assignments)


def test_i_draw_item_values_are_checked():
    with pytest.raises(ValueError, match="unknown value"):
        InspectionItem(categories=frozenset({"company"}))
    with pytest.raises(TypeError):
        InspectionItem(statuses="active")  # would otherwise be the set of its letters
    with pytest.raises(ValueError):
        target(1, credit_risk="very high")
    with pytest.raises(TypeError):
        Inspector(staff_id="S1", name="x", conflicts=uscc(1))  # a bare USCC, not a set of them


# --------------------------------------------------------------------------- sample size


def test_i_draw_sample_ratio_is_rounded_up():
    result = draw(seed="ratio", targets=targets(41), item=ANY, inspectors=inspectors(2),
                  sample_ratio=Decimal("0.1"), on=ON)
    assert result.sample_size == 5 and len(result.assignments) == 5  # ceil(4.1)
    assert result.as_dict()["sample_ratio"] == "0.1"
    with pytest.raises(TypeError, match="Decimal"):
        draw(seed="ratio", targets=targets(41), item=ANY, inspectors=inspectors(2), sample_ratio=0.1, on=ON)


# --------------------------------------------------------------------------- refusals


def refused(**overrides) -> DrawRefused:
    arguments = dict(seed="refuse", targets=targets(10), item=ANY, inspectors=inspectors(4), sample_size=3, on=ON)
    arguments.update(overrides)
    with pytest.raises(DrawRefused) as caught:
        draw(**arguments)
    assert "I-DRAW" in str(caught.value)
    return caught.value


def test_i_draw_refuses_a_team_of_one():
    assert "at least 2" in str(refused(team_size=1))


def test_i_draw_refuses_a_sample_larger_than_the_eligible_targets():
    library = targets(10) + [target(10 + i, status="deregistered") for i in range(5)]
    message = str(refused(targets=library, sample_size=11))
    assert "11" in message and "only 10 targets are eligible" in message


def test_i_draw_refuses_when_no_target_is_admitted():
    refused(targets=[])
    refused(item=InspectionItem(towns=frozenset({"不存在镇"})))


def test_i_draw_refuses_a_drawn_target_that_cannot_get_a_team_without_conflicts():
    roster = [replace(i, conflicts=frozenset({uscc(4)})) for i in inspectors(4)]
    library = [target(4, name="揭东区某食品厂")]
    message = str(refused(targets=library, inspectors=roster, sample_size=1))
    assert uscc(4) in message and "揭东区某食品厂" in message and "only 0 eligible" in message
    # one inspector free of conflict is not enough either: I-DRAW needs two
    message = str(refused(targets=library, inspectors=roster[1:] + inspectors(1), sample_size=1))
    assert "only 1 eligible" in message


def test_i_draw_refuses_fewer_certified_inspectors_than_a_team():
    roster = inspectors(4)
    roster[:3] = [replace(i, cert_expires=date(2025, 12, 31)) for i in roster[:3]]
    assert "only 1 inspector(s) of 4" in str(refused(inspectors=roster))
    refused(inspectors=inspectors(2), team_size=3)


def test_i_draw_refuses_bad_sample_arguments_and_duplicated_entries():
    refused(sample_size=None)
    refused(sample_ratio=Decimal("0.5"))  # both given
    refused(sample_size=None, sample_ratio=Decimal(0))
    refused(sample_size=None, sample_ratio=Decimal("1.01"))
    refused(sample_size=0)
    refused(seed="")
    assert uscc(1) in str(refused(targets=targets(10) + [target(1)]))
    refused(inspectors=inspectors(4) + inspectors(1))


def test_i_draw_refusal_is_a_value_error_and_a_rule_violation():
    error = refused(team_size=1)
    assert isinstance(error, ValueError) and isinstance(error, RuleViolation)
    assert error.status == 422 and error.extensions == {"rule": "I-DRAW"}


# --------------------------------------------------------------------------- verification


@pytest.fixture
def recorded():
    library = targets(80)
    roster = inspectors(6)
    roster[2] = replace(roster[2], conflicts=frozenset({uscc(i) for i in range(20)}))
    extra = {"S003": frozenset({uscc(30)})}
    result = draw(seed=new_seed(), targets=library, item=ANY, inspectors=roster, sample_ratio=Decimal("0.05"),
                  on=ON, extra_conflicts=extra)
    # what is published / archived: JSON
    return json.loads(json.dumps(result.as_dict(), ensure_ascii=False)), library, roster, extra


def test_i_draw_verify_accepts_an_unmodified_result(recorded):
    record, library, roster, extra = recorded
    assert record["sample_size"] == 4 and record["seed"]
    assert verify(record, targets=library[::-1], item=ANY, inspectors=roster, on=ON, extra_conflicts=extra)


def test_i_draw_verify_rejects_a_tampered_assignment(recorded):
    record, library, roster, extra = recorded
    swapped = json.loads(json.dumps(record))
    team = swapped["assignments"][0]["inspectors"]
    team[0] = next(s for s in ("S000", "S001", "S004", "S005") if s not in team)
    assert not verify(swapped, targets=library, item=ANY, inspectors=roster, on=ON, extra_conflicts=extra)
    replaced = json.loads(json.dumps(record))
    replaced["assignments"][0]["uscc"] = next(t.uscc for t in library
                                              if t.uscc not in {a["uscc"] for a in record["assignments"]})
    assert not verify(replaced, targets=library, item=ANY, inspectors=roster, on=ON, extra_conflicts=extra)
    dropped = json.loads(json.dumps(record))
    del dropped["assignments"][-1]
    assert not verify(dropped, targets=library, item=ANY, inspectors=roster, on=ON, extra_conflicts=extra)


def test_i_draw_verify_rejects_a_tampered_seed(recorded):
    record, library, roster, extra = recorded
    assert not verify({**record, "seed": record["seed"] + "0"}, targets=library, item=ANY, inspectors=roster,
                      on=ON, extra_conflicts=extra)


def test_i_draw_verify_rejects_other_libraries_or_a_malformed_record(recorded):
    record, library, roster, extra = recorded
    drawn = {a["uscc"] for a in record["assignments"]}
    # one target that was not drawn is missing: same sample size (ceil(0.05 × 79) = 4), same teams,
    # but the candidates digest and count differ
    missing = next(t.uscc for t in library if t.uscc not in drawn)
    smaller = [t for t in library if t.uscc != missing]
    assert not verify(record, targets=smaller, item=ANY, inspectors=roster, on=ON, extra_conflicts=extra)
    assert not verify(record, targets=library, item=ANY, inspectors=roster, on=ON)  # a recusal forgotten
    assert not verify({**record, "algorithm": "I-DRAW/sha256-rank/v2"}, targets=library, item=ANY,
                      inspectors=roster, on=ON, extra_conflicts=extra)
    assert not verify({k: v for k, v in record.items() if k != "team_size"}, targets=library, item=ANY,
                      inspectors=roster, on=ON, extra_conflicts=extra)


# --------------------------------------------------------------------------- publication


@pytest.fixture
def cal(monkeypatch: pytest.MonkeyPatch) -> WorkingDayCalendar:
    monkeypatch.delenv(HOLIDAY_TABLE_ENV, raising=False)
    return WorkingDayCalendar()


def test_i_draw_results_published_within_20_working_days_across_national_day(cal):
    """I-DRAW [U]: 20 WD, the inspection day not counted. 2026: Mid-Autumn Fri 09-25 to Sun 09-27
    off, National Day 10-01..10-07 off, Sat 10-10 worked.

    From Fri 09-25: 09-28, 09-29, 09-30 (WD 1-3), 10-08, 10-09, Sat 10-10 (4-6), 10-12..10-16 (7-11),
    10-19..10-23 (12-16), 10-26..10-29 (17-20) -> Thu 2026-10-29.
    """
    assert RESULTS_PUBLICATION_WORKING_DAYS == 20
    assert results_publication_due(date(2026, 9, 25), cal) == date(2026, 10, 29)
    assert results_publication_due(date(2026, 9, 24), cal) == date(2026, 10, 29)  # 09-25..27 are days off
    assert results_publication_due(date(2026, 9, 23), cal) == date(2026, 10, 28)  # 09-24 is WD 1
    assert cal.working_days_between(date(2026, 9, 25), date(2026, 10, 29)) == 20


# --------------------------------------------------------------------------- the whole district


def test_i_draw_over_the_whole_district_register_balances_the_inspectors():
    """I-DRAW: the district's 53,453 entities (7,513 enterprises, 210 cooperatives, 45,730 individual
    businesses), 200 inspectors, a 3% sample."""
    categories = ["enterprise"] * 7513 + ["cooperative"] * 210 + ["individual_business"] * 45730
    library = [target(i, category=c, sector=f"sector-{i % 12}", town=f"town-{i % 17}")
               for i, c in enumerate(categories)]
    roster = [Inspector(staff_id=f"S{j:03d}", name=f"检查员{j}",
                        conflicts=frozenset(uscc(k) for k in range(j * 5, j * 5 + 5)))  # 5 recusals each
              for j in range(200)]
    result = draw(seed="district-2026", targets=library, item=ANY, inspectors=roster,
                  sample_ratio=Decimal("0.03"), on=ON)  # its speed is measured in bench/, not here
    assert result.eligible_count == 53453 and result.sample_size == 1604  # ceil(1,603.59)
    load = Counter(s for a in result.assignments for s in a.inspectors)
    assert sum(load.values()) == 3208 and max(load.values()) - min(load.values()) <= 1
