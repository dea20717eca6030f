"""Tests for the major-decision classification (法制审核, 行政处罚法 art. 58): rules M-PUBLIC,
M-HEARING, M-COMPLEX, M-FINE, M-CONFISCATE, M-SUSPEND, M-REVOKE, M-DISCRETION, M-TRANSFER.

Each rule is exercised on an otherwise minimal proposal (a warning on a natural person, no flags), just
under and at its threshold or with and without its flag / penalty kind; "at" counts as major and the
classification names that rule and only it.
"""
from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from services.legal_review.domain.classification import (
    DEFAULT_TABLE_PATH,
    ENV_VAR,
    RULE_IDS,
    Classification,
    ProposalFacts,
    RuleSpec,
    RuleTable,
    classify,
    load_rule_table,
)
from shared.law.penalties import REVOCATIONS, SUSPENSIONS, LargeAmounts, PartyKind, Penalty, PenaltyKind

D = Decimal
CENT = D("0.01")
K = PenaltyKind
NP, IB, ORG = PartyKind.NATURAL_PERSON, PartyKind.INDIVIDUAL_BUSINESS, PartyKind.ORGANISATION
ALL = list(RULE_IDS)


@pytest.fixture(autouse=True)
def _no_operator_table(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)


@pytest.fixture(scope="module")
def table() -> RuleTable:
    return load_rule_table(DEFAULT_TABLE_PATH)


def facts(*kinds: PenaltyKind, party: PartyKind = NP, fine: Decimal | str = 0, confiscation: Decimal | str = 0,
          **flags) -> ProposalFacts:
    """An otherwise minimal proposal: a warning unless other kinds are given, no flag set."""
    return ProposalFacts(penalty=Penalty(kinds=frozenset(kinds or {K.WARNING}), fine_yuan=D(fine),
                                         confiscation_yuan=D(confiscation)),
                         party=party, **flags)


def raw_table() -> dict:
    return json.loads(DEFAULT_TABLE_PATH.read_text(encoding="utf-8"))


def write(tmp_path: Path, data, name: str = "operator_rules.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def assert_outcome(result: Classification, rule: str, fires: bool) -> None:
    assert result.major is fires
    assert result.grounds == ((rule,) if fires else ())
    assert set(result.reasons) == set(result.grounds)
    assert result.evaluated == tuple(ALL)


# --- the shipped table ---------------------------------------------------------------------------

def test_shipped_table_lists_all_nine_rules_enabled_with_domain_defaults(table):
    """M-*: the default table is DOMAIN.md's: nine rules, all enabled, 10,000 / 100,000 yuan."""
    assert table.version == "2026-11-25.1"
    assert [r.id for r in table.rules] == ALL
    assert all(r.enabled and r.description for r in table.rules)
    assert table.large_amounts.natural_person_yuan == D(10_000)
    assert table.large_amounts.organisation_yuan == D(100_000)
    assert table.large_amounts.individual_business_as_natural_person is True
    assert table.source == str(DEFAULT_TABLE_PATH)


def test_default_path_is_the_shipped_table(table):
    assert load_rule_table() == table


def test_minimal_proposal_is_cleared_after_evaluating_every_rule(table):
    """M-*: a warning on a natural person, no flags: not major, all nine rules evaluated."""
    result = classify(facts(), table)
    assert result == Classification(major=False, grounds=(), evaluated=tuple(ALL),
                                    table_version="2026-11-25.1", reasons={})


# --- flags: M-PUBLIC, M-HEARING, M-COMPLEX, M-DISCRETION -----------------------------------------

@pytest.mark.parametrize("rule, flag", [("M-PUBLIC", "public_interest"), ("M-HEARING", "hearing_held"),
                                        ("M-COMPLEX", "complex"), ("M-DISCRETION", "discretion_departure")])
@pytest.mark.parametrize("value", [False, True])
def test_flag_rules(table, rule, flag, value):
    """M-PUBLIC / M-HEARING / M-COMPLEX / M-DISCRETION fire exactly when their flag is set."""
    assert_outcome(classify(facts(**{flag: value}), table), rule, value)


def test_m_hearing_reason_is_a_sentence(table):
    """M-HEARING: the reason names the rule and the hearing (听证)."""
    reason = classify(facts(hearing_held=True), table).reasons["M-HEARING"]
    assert reason.startswith("M-HEARING") and "听证" in reason


# --- M-FINE --------------------------------------------------------------------------------------

@pytest.mark.parametrize("party, fine, fires", [
    (NP, D("9999.99"), False), (NP, D("10000"), True), (NP, D("10000.01"), True),
    (ORG, D("99999.99"), False), (ORG, D("100000"), True), (ORG, D("100000.01"), True),
    (ORG, D("10000"), False),
    (IB, D("9999.99"), False), (IB, D("10000"), True),   # 个体工商户 counted as natural person by default
])
def test_m_fine_thresholds(table, party, fine, fires):
    """M-FINE: fine ≥ 10,000 yuan (natural person, individual business) / ≥ 100,000 (organisation)."""
    assert_outcome(classify(facts(K.FINE, party=party, fine=fine), table), "M-FINE", fires)


def test_m_fine_reason_quotes_amount_threshold_and_party(table):
    """M-FINE: the reason gives the fine, the 较大数额 compared against and the party kind."""
    reason = classify(facts(K.FINE, party=ORG, fine="100000"), table).reasons["M-FINE"]
    assert "100,000.00" in reason and "较大数额" in reason and "法人或者其他组织" in reason


def test_m_fine_needs_a_fine_kind(table):
    """M-FINE: an amount without the fine kind is not a fine."""
    assert_outcome(classify(facts(K.WARNING, fine="50000"), table), "M-FINE", False)


# --- M-CONFISCATE --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", [K.CONFISCATE_GAINS, K.CONFISCATE_PROPERTY])
@pytest.mark.parametrize("party, amount, fires", [
    (NP, D("9999.99"), False), (NP, D("10000"), True),
    (ORG, D("99999.99"), False), (ORG, D("100000"), True),
    (IB, D("9999.99"), False), (IB, D("10000"), True),
])
def test_m_confiscate_thresholds(table, kind, party, amount, fires):
    """M-CONFISCATE: confiscation of gains or property reaching the same amounts as M-FINE."""
    assert_outcome(classify(facts(kind, party=party, confiscation=amount), table), "M-CONFISCATE", fires)


def test_m_confiscate_is_not_the_fine(table):
    """M-CONFISCATE / M-FINE: a small fine with a large confiscation fires only M-CONFISCATE."""
    result = classify(facts(K.FINE, K.CONFISCATE_GAINS, fine="5000", confiscation="20000"), table)
    assert result.grounds == ("M-CONFISCATE",)


# --- individual businesses -----------------------------------------------------------------------

@pytest.mark.parametrize("amount, fires", [(D("10000"), False), (D("99999.99"), False), (D("100000"), True)])
def test_individual_business_counted_as_organisation_when_the_table_says_so(tmp_path, amount, fires):
    """M-FINE / M-CONFISCATE: with individual_business_as_natural_person false, 个体工商户 uses 100,000."""
    data = raw_table()
    data["large_amounts"]["individual_business_as_natural_person"] = False
    operator = load_rule_table(write(tmp_path, data))
    assert_outcome(classify(facts(K.FINE, party=IB, fine=amount), operator), "M-FINE", fires)
    assert_outcome(classify(facts(K.CONFISCATE_PROPERTY, party=IB, confiscation=amount), operator),
                   "M-CONFISCATE", fires)
    # a natural person is unaffected
    assert_outcome(classify(facts(K.FINE, party=NP, fine="10000"), operator), "M-FINE", True)


# --- M-SUSPEND, M-REVOKE -------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(SUSPENSIONS, key=lambda k: k.value))
def test_m_suspend_fires_on_each_suspension_kind(table, kind):
    """M-SUSPEND: 责令停产停业, 责令关闭, 限制从业, 限制开展生产经营活动."""
    assert_outcome(classify(facts(kind), table), "M-SUSPEND", True)


@pytest.mark.parametrize("kind", sorted(REVOCATIONS, key=lambda k: k.value))
def test_m_revoke_fires_on_each_revocation_kind(table, kind):
    """M-REVOKE: 吊销许可证件 (incl. business licence), 降低资质等级."""
    assert_outcome(classify(facts(kind), table), "M-REVOKE", True)


@pytest.mark.parametrize("kind", [K.WARNING, K.CIRCULATED_CRITICISM, K.SUSPEND_LICENCE])
def test_m_suspend_and_m_revoke_do_not_fire_on_other_kinds(table, kind):
    """M-SUSPEND / M-REVOKE: a warning, 通报批评 or 暂扣许可证件 alone is neither."""
    result = classify(facts(kind), table)
    assert not result.major and result.grounds == ()


def test_m_suspend_reason_names_the_kinds(table):
    """M-SUSPEND: the reason lists the suspension kinds proposed."""
    reason = classify(facts(K.SUSPEND_BUSINESS, K.CLOSE), table).reasons["M-SUSPEND"]
    assert "责令停产停业" in reason and "责令关闭" in reason


# --- M-TRANSFER ----------------------------------------------------------------------------------

@pytest.mark.parametrize("met, fires", [((), False), (("J-140",), True), (("J-140", "J-213"), True)])
def test_m_transfer(table, met, fires):
    """M-TRANSFER: any judiciary threshold (J-*) met makes the decision major."""
    result = classify(facts(judiciary_rules_met=met), table)
    assert_outcome(result, "M-TRANSFER", fires)
    if fires:
        assert all(rule in result.reasons["M-TRANSFER"] for rule in met)


# --- several rules, table order, version ---------------------------------------------------------

def test_several_rules_fire_and_are_listed_in_table_order(table):
    """M-*: every rule that fires is a ground, in table order, each with one reason."""
    f = facts(K.FINE, K.CONFISCATE_GAINS, K.SUSPEND_BUSINESS, K.REVOKE_LICENCE, party=ORG,
              fine="200000", confiscation="150000", hearing_held=True, complex=True, public_interest=True,
              discretion_departure=True, judiciary_rules_met=("J-140",))
    result = classify(f, table)
    assert result.major and result.grounds == tuple(ALL)
    assert list(result.reasons) == ALL


def test_grounds_follow_the_order_of_the_table(table):
    """M-*: an operator table's order is the order of evaluation and of the grounds."""
    reordered = RuleTable(version="x", large_amounts=table.large_amounts, rules=tuple(reversed(table.rules)))
    result = classify(facts(K.REVOKE_LICENCE, hearing_held=True, public_interest=True), reordered)
    assert result.grounds == ("M-REVOKE", "M-HEARING", "M-PUBLIC")
    assert result.evaluated == tuple(reversed(ALL))


def test_table_version_is_recorded_and_as_dict(table):
    """M-*: the classification records the table version; as_dict is JSON-ready."""
    result = classify(facts(K.FINE, fine="10000", hearing_held=True), table)
    d = result.as_dict()
    assert d == {"major": True, "grounds": ["M-HEARING", "M-FINE"], "evaluated": ALL,
                 "table_version": "2026-11-25.1", "reasons": result.reasons}
    json.dumps(d, ensure_ascii=False)


# --- operator tables -----------------------------------------------------------------------------

def test_operator_amounts_change_the_outcome(tmp_path, table):
    """M-FINE / M-CONFISCATE: amounts are configuration: 5,000 / 50,000 in an operator table."""
    data = raw_table()
    data["version"] = "op-2027.1"
    data["large_amounts"].update(natural_person_yuan=5000, organisation_yuan=50000)
    operator = load_rule_table(write(tmp_path, data))
    assert operator.version == "op-2027.1"
    for f, rule in [(facts(K.FINE, fine="5000"), "M-FINE"),
                    (facts(K.FINE, party=ORG, fine="50000"), "M-FINE"),
                    (facts(K.CONFISCATE_GAINS, confiscation="5000"), "M-CONFISCATE")]:
        assert classify(f, table).major is False
        result = classify(f, operator)
        assert result.grounds == (rule,) and result.table_version == "op-2027.1"
    assert classify(facts(K.FINE, fine="4999.99"), operator).major is False


def test_env_var_names_the_operator_table(tmp_path, monkeypatch, table):
    """M-*: MAJOR_RULES_TABLE overrides the shipped table; an explicit path overrides both."""
    data = raw_table()
    data["version"] = "env-1"
    monkeypatch.setenv(ENV_VAR, str(write(tmp_path, data)))
    assert load_rule_table().version == "env-1"
    assert load_rule_table(DEFAULT_TABLE_PATH) == table


def test_a_disabled_rule_is_not_evaluated(tmp_path):
    """M-DISCRETION: disabled explicitly, it neither fires nor appears in `evaluated`."""
    data = raw_table()
    next(r for r in data["rules"] if r["id"] == "M-DISCRETION")["enabled"] = False
    operator = load_rule_table(write(tmp_path, data))
    result = classify(facts(discretion_departure=True), operator)
    assert not result.major and result.grounds == ()
    assert result.evaluated == tuple(r for r in ALL if r != "M-DISCRETION")
    # the other rules still work
    assert classify(facts(K.CLOSE, discretion_departure=True), operator).grounds == ("M-SUSPEND",)


def test_a_rule_without_enabled_stays_enabled(tmp_path):
    """M-PUBLIC: only an explicit "enabled": false disables a rule."""
    data = raw_table()
    del data["rules"][0]["enabled"]
    result = classify(facts(public_interest=True), load_rule_table(write(tmp_path, data)))
    assert result.grounds == ("M-PUBLIC",)


def _drop_rule(d):
    d["rules"] = [r for r in d["rules"] if r["id"] != "M-TRANSFER"]


def _unknown_rule(d):
    d["rules"].append({"id": "M-OTHER", "description": "?", "enabled": True})


def _duplicate_rule(d):
    d["rules"].append(dict(d["rules"][0]))


def _set_amount(name, value):
    return lambda d: d["large_amounts"].__setitem__(name, value)


@pytest.mark.parametrize("mutate, message", [
    (_drop_rule, "missing rule.*M-TRANSFER"),
    (_unknown_rule, "unknown rule.*M-OTHER"),
    (_duplicate_rule, "duplicate rule.*M-PUBLIC"),
    (_set_amount("natural_person_yuan", -1), "natural_person_yuan"),
    (_set_amount("organisation_yuan", -0.01), "organisation_yuan"),
    (_set_amount("organisation_yuan", "lots"), "organisation_yuan"),
    (_set_amount("organisation_yuan", True), "organisation_yuan"),
    (_set_amount("individual_business_as_natural_person", "no"), "individual_business"),
    (lambda d: d["large_amounts"].pop("natural_person_yuan"), "natural_person_yuan"),
    (lambda d: d.pop("large_amounts"), "large_amounts"),
    (lambda d: d.pop("version"), "version"),
    (lambda d: d.__setitem__("version", " "), "version"),
    (lambda d: d.pop("rules"), "rules"),
    (lambda d: d["rules"][0].__setitem__("enabled", "false"), "M-PUBLIC.enabled"),
    (lambda d: d["rules"][0].pop("id"), r"rules\[0\]"),
])
def test_malformed_operator_tables_are_refused_naming_the_file(tmp_path, mutate, message):
    """M-*: a malformed table is a ValueError naming the file (a missing rule is never a silent disable)."""
    data = copy.deepcopy(raw_table())
    mutate(data)
    path = write(tmp_path, data, "broken_rules.json")
    with pytest.raises(ValueError, match=message) as info:
        load_rule_table(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("text", ["{not json", "[]", '{"version": "1", "large_amounts": {"natural_person_yuan": NaN}}'])
def test_unparseable_tables_are_refused_naming_the_file(tmp_path, text):
    path = write(tmp_path, text, "garbled.json")
    with pytest.raises(ValueError, match="garbled.json"):
        load_rule_table(path)


def test_rule_table_validates_when_built_in_code():
    """M-*: a RuleTable built without a rule is refused too."""
    with pytest.raises(ValueError, match="missing rule"):
        RuleTable(version="1", large_amounts=LargeAmounts(), rules=(RuleSpec("M-PUBLIC", "", True),))


# --- the decision.proposed event -----------------------------------------------------------------

def proposed_data(**changes) -> dict:
    """A decision.proposed v1 `data` as enforcement publishes it."""
    data = {
        "case_no": "粤揭东市监罚〔2026〕118号", "proposal_id": "P-3f9a1c2b7d10",
        "proposal_hash": "a" * 64,
        "subject": {"uscc": "91445203MA4W1234X5", "name": "揭阳市揭东区某某食品有限公司", "kind": "organisation"},
        "party_kind": "organisation",
        "penalty": {"kinds": ["confiscate_gains", "fine"], "fine_amount_yuan": 99999.99,
                    "confiscation_amount_yuan": 12345.6},
        "case_value_yuan": 56000.0,
        "legal_basis": ["《中华人民共和国食品安全法》第一百二十四条第一款"],
        "facts": "当事人生产经营超范围使用食品添加剂的食品，货值金额56000元。",
        "hearing_held": False, "complex": False, "public_interest": False, "discretion_departure": False,
        "judiciary_thresholds": [],
        "handlers": ["OFF-0012", "OFF-0047"],
        "evidence_summary": [{"kind": "inspection_record", "description": "现场检查笔录",
                              "content_hash": "b" * 64}],
    }
    data.update(changes)
    return data


def test_from_event_data_reads_a_realistic_proposal(table):
    """M-FINE / M-CONFISCATE: JSON numbers become exact Decimals; 99,999.99 on an organisation clears."""
    f = ProposalFacts.from_event_data(proposed_data())
    assert f == ProposalFacts(
        penalty=Penalty(kinds=frozenset({K.FINE, K.CONFISCATE_GAINS}), fine_yuan=D("99999.99"),
                        confiscation_yuan=D("12345.6")),
        party=ORG, hearing_held=False, complex=False, public_interest=False, discretion_departure=False,
        judiciary_rules_met=())
    assert classify(f, table).major is False


def test_from_event_data_with_grounds(table):
    """M-HEARING / M-FINE / M-TRANSFER from an event: 100,000 fine, a hearing, J-140 met."""
    data = proposed_data(hearing_held=True, judiciary_thresholds=[
        {"rule": "J-140", "offence": "刑法第一百四十条 生产、销售伪劣产品罪",
         "measured": {"sales_yuan": "56000"}, "reason": "J-140 met: sales 56000 ≥ 50000."}])
    data["penalty"]["fine_amount_yuan"] = 100000
    f = ProposalFacts.from_event_data(data)
    assert f.judiciary_rules_met == ("J-140",) and f.penalty.fine_yuan == D("100000")
    assert classify(f, table).grounds == ("M-HEARING", "M-FINE", "M-TRANSFER")


def test_from_event_data_missing_amounts_are_zero():
    data = proposed_data(penalty={"kinds": ["warning"]}, party_kind="natural_person")
    f = ProposalFacts.from_event_data(data)
    assert f.penalty.fine_yuan == 0 and f.penalty.confiscation_yuan == 0 and f.party is NP


@pytest.mark.parametrize("changes, message", [
    ({"penalty": {"kinds": ["fine", "public_flogging"], "fine_amount_yuan": 10}}, "public_flogging"),
    ({"penalty": {"kinds": []}}, "kinds"),
    ({"penalty": {"kinds": ["fine"], "fine_amount_yuan": -1}}, "fine_amount_yuan"),
    ({"penalty": {"kinds": ["fine"], "fine_amount_yuan": True}}, "fine_amount_yuan"),
    ({"party_kind": "alien"}, "party_kind"),
    ({"party_kind": None}, "party_kind"),
    ({"hearing_held": "false"}, "hearing_held"),
    ({"complex": None}, "complex"),
    ({"judiciary_thresholds": [{"offence": "x"}]}, "judiciary threshold"),
])
def test_from_event_data_refuses_bad_data(changes, message):
    """M-*: unknown penalty kinds and doubtful values are errors, never guessed."""
    with pytest.raises(ValueError, match=message):
        ProposalFacts.from_event_data(proposed_data(**changes))
