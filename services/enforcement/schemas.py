"""Request bodies of the enforcement routes (JSON Schema; unknown fields are refused)."""
from shared.http.fields import DATE, IDENTIFIER, LONG_TEXT, MONEY, PARTY, SHORT_TEXT, body

COUNT = {"type": "integer", "minimum": 0, "maximum": 10_000_000}
CATEGORY = {"type": "string", "minLength": 1, "maxLength": 100}  # as case.opened carries it
PENALTY_KINDS = ["warning", "circulated_criticism", "fine", "confiscate_gains", "confiscate_property",
                 "suspend_licence", "downgrade_qualification", "revoke_licence", "restrict_business",
                 "suspend_business", "close", "ban_practising"]
OFFENCES = ["140", "143", "144", "213", "214", "224-1"]

CLUE = body(
    ["source", "received_on", "subject", "summary"],
    source={"enum": ["complaint", "report", "inspection", "transfer", "ip_referral", "assigned", "other"]},
    received_on=DATE, subject=PARTY, summary=LONG_TEXT, category=CATEGORY,
    informant=body([], real_name={"type": "boolean"}, name=SHORT_TEXT, phone={"type": "string", "maxLength": 30}),
    violation=body(["ended_on"], ended_on=DATE,
                   life_health_or_financial_safety_with_harm={"type": "boolean"}),
)

FILING_DECISION = body(
    ["decision", "decided_on"],
    decision={"enum": ["file", "not_file"]}, decided_on=DATE, reason=LONG_TEXT, category=CATEGORY,
)

EVIDENCE = body(
    ["kind", "description", "content", "collected_on"],
    kind={"enum": ["documentary", "physical", "audio_visual", "electronic", "witness", "party_statement",
                   "expert_opinion", "inspection_record"]},
    description=SHORT_TEXT, content=LONG_TEXT, collected_on=DATE,
)

PROPOSAL = body(
    ["penalty", "case_value_yuan", "legal_basis", "facts"],
    penalty=body(["kinds"], kinds={"type": "array", "items": {"enum": PENALTY_KINDS}, "minItems": 1,
                                   "uniqueItems": True},
                 fine_amount_yuan=MONEY, confiscation_amount_yuan=MONEY),
    case_value_yuan=MONEY,
    legal_basis={"type": "array", "items": SHORT_TEXT, "minItems": 1, "maxItems": 20},
    facts=LONG_TEXT,
    complex={"type": "boolean"}, public_interest={"type": "boolean"}, discretion_departure={"type": "boolean"},
    trade_secrets={"type": "array", "items": SHORT_TEXT, "maxItems": 20},  # P-REDACT: never published
    findings=body([], offences={"type": "array", "items": {"enum": OFFENCES}, "uniqueItems": True},
                  sales_yuan=MONEY, unsold_goods_yuan=MONEY, illegal_turnover_yuan=MONEY,
                  illegal_gains_yuan=MONEY, marks_count=COUNT, participants=COUNT, levels=COUNT,
                  serious_food_poisoning_risk={"type": "boolean"}, toxic_substance_added={"type": "boolean"}),
)

PRE_NOTICE = body(["served_on"], served_on=DATE)
STATEMENT = body(["received_on"], received_on=DATE, content=LONG_TEXT, waived={"type": "boolean"})
HEARING_REQUEST = body(["requested_on"], requested_on=DATE)
DECISION = body(
    ["outcome", "decided_on"],
    outcome={"enum": ["penalty", "no_penalty"]}, decided_on=DATE, party_present={"type": "boolean"},
    reason=LONG_TEXT,
)
TRANSFER = body(["receiving_organ", "transferred_on"], receiving_organ=SHORT_TEXT, transferred_on=DATE)
RECEIPT = body(["decision", "received_on"], decision={"enum": ["received", "accepted", "declined"]},
               received_on=DATE, police_reference=SHORT_TEXT, reason=LONG_TEXT)
SERVICE = body(["served_on"], served_on=DATE, party_present={"type": "boolean"})
PAYMENT = body(["paid_on", "amount_yuan"], paid_on=DATE, amount_yuan=MONEY)
HEARING_NOTICE = body(["notice_served_on", "hearing_on", "chair"], notice_served_on=DATE, hearing_on=DATE,
                      chair=IDENTIFIER)
HEARING_HELD = body(["held_on", "transcript"], held_on=DATE, transcript=LONG_TEXT)
RECUSAL = body(["officer", "replacement", "reason", "on"], officer=IDENTIFIER, replacement=IDENTIFIER,
               reason=LONG_TEXT, on=DATE)
CLUE_EXTENSION = body(["approved_on", "reason"], approved_on=DATE, reason=LONG_TEXT)
SIMPLE_DECISION = body(
    ["subject", "decided_on", "penalty", "facts", "legal_basis"],
    subject=PARTY, decided_on=DATE, facts=LONG_TEXT,
    legal_basis={"type": "array", "items": SHORT_TEXT, "minItems": 1, "maxItems": 20},
    penalty=body(["kinds"], kinds={"type": "array", "items": {"enum": ["warning", "fine"]}, "minItems": 1,
                                   "uniqueItems": True}, fine_amount_yuan=MONEY),
    paid_on_the_spot={"type": "boolean"},
)
EXTENSION = body(["kind", "days", "approved_on", "reason"], kind={"enum": ["head", "collective"]},
                 days={"type": "integer", "minimum": 1, "maximum": 365}, approved_on=DATE, reason=LONG_TEXT)
REVOCATION = body(["kind", "changed_on", "reason"], kind={"enum": ["changed", "revoked", "annulled"]},
                  changed_on=DATE, reason=LONG_TEXT)
SUSPENSION = body(["on", "reason"], on=DATE, reason=LONG_TEXT)
RESUMPTION = body(["on"], on=DATE)
CLOSURE = body(["closed_on"], closed_on=DATE)
LIST_QUERY = {"limit": {"type": "integer", "minimum": 1, "maximum": 200}, "cursor": IDENTIFIER,
              "state": {"type": "string", "maxLength": 20}}

# -- random inspections (I-DRAW) ------------------------------------------------------------------
_USCC = {"type": "string", "pattern": "^[0-9ABCDEFGHJKLMNPQRTUWXY]{18}$"}
_CHOICES = {"type": "array", "items": {"type": "string", "pattern": "^[a-z_]{1,60}$"}, "uniqueItems": True,
            "maxItems": 50}
INSPECTOR = body(["name"], name={**SHORT_TEXT, "maxLength": 100},  # inspectors.name is VARCHAR(100)
                 cert_no={"type": "string", "maxLength": 40}, cert_expires=DATE,
                 conflicts={"type": "array", "items": _USCC, "uniqueItems": True, "maxItems": 1000},
                 active={"type": "boolean"})
DRAW = body(
    ["item", "team_size"],
    item=body(["name"], name=SHORT_TEXT,
              categories={**_CHOICES, "items": {"enum": ["enterprise", "individual_business", "cooperative"]}},
              sectors=_CHOICES,
              towns={"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 100},
                     "uniqueItems": True, "maxItems": 50},
              credit_risks={**_CHOICES, "items": {"enum": ["low", "medium", "high"]}},
              statuses={**_CHOICES, "items": {"enum": ["active", "deregistration_noticed", "deregistered",
                                                       "revoked"]}}),
    sample_size={"type": "integer", "minimum": 1, "maximum": 1_000_000},
    sample_ratio={"type": "number", "exclusiveMinimum": 0, "maximum": 1},
    team_size={"type": "integer", "minimum": 2, "maximum": 10},
    seed={"type": "string", "pattern": "^[A-Za-z0-9_.:-]{8,128}$"},
    drawn_on=DATE,
)
INSPECTION_RESULT = body(
    ["uscc", "inspected_on", "outcome"],
    uscc=_USCC, inspected_on=DATE,
    outcome={"enum": ["no_problem", "problem_corrected", "violation_suspected", "not_found_at_address",
                      "refused_inspection"]},
    findings=LONG_TEXT, category=CATEGORY,
)
