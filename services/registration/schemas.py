"""Request bodies of the registration routes (JSON Schema; unknown fields are refused)."""
from shared.http.fields import DATE, LONG_TEXT, MONEY, SHORT_TEXT, body

# The code is checked by R-USCC in the domain, which names the failing check; the schema only bounds it.
CODE = {"type": "string", "minLength": 1, "maxLength": 40}
CATEGORY = {"enum": ["enterprise", "individual_business", "cooperative"]}
SECTOR = {"type": "string", "pattern": "^[a-z_]{1,60}$"}
PERSON = body(["name"], name=SHORT_TEXT, id_number={"type": "string", "pattern": "^[0-9]{17}[0-9X]$"})
ADDRESS = {"type": "string", "minLength": 1, "maxLength": 300}

ENTITY = body(
    ["category", "name", "legal_representative", "address", "sector", "established_on"],
    uscc=CODE, category=CATEGORY, name=SHORT_TEXT, legal_representative=PERSON, address=ADDRESS,
    town={"type": "string", "minLength": 1, "maxLength": 100}, sector=SECTOR, established_on=DATE,
    registered_capital_yuan=MONEY, business_scope={"type": "string", "maxLength": 2000},
)

CHANGE = body(
    ["changed_on", "changes", "reason"],
    changed_on=DATE, reason=SHORT_TEXT,
    changes={**body([], name=SHORT_TEXT, address=ADDRESS, town={"type": "string", "minLength": 1, "maxLength": 100},
                    legal_representative=PERSON, sector=SECTOR, registered_capital_yuan=MONEY,
                    business_scope={"type": "string", "maxLength": 2000}), "minProperties": 1},
)

DEREGISTRATION = body(
    ["mode", "on"],
    mode={"enum": ["simplified", "ordinary"]}, on=DATE,
    commitment=body(["all_investors_signed"], all_investors_signed={"type": "boolean"},
                    debts_settled={"type": "boolean"}),
    liquidation_completed_on=DATE,
)

OBJECTION = body(["objector", "reason", "received_on"], objector=SHORT_TEXT, reason=LONG_TEXT, received_on=DATE)

ANNUAL_REPORT = body(["year", "filed_on"], year={"type": "integer", "minimum": 1990, "maximum": 2099},
                     filed_on=DATE)

ABNORMAL_LISTING = body(
    ["ground", "listed_on", "detail"],
    ground={"enum": ["no_annual_report", "information_not_disclosed", "falsification", "unreachable"]},
    listed_on=DATE, detail=LONG_TEXT, report_year={"type": "integer", "minimum": 1990, "maximum": 2099},
)

ABNORMAL_REMOVAL = body(["removed_on", "explanation"], removed_on=DATE, explanation=LONG_TEXT,
                        verified_address=ADDRESS)

SERIOUS_LISTING = body(["ground", "listed_on", "decision_no", "detail"], ground={"enum": ["heavy_penalty"]},
                       listed_on=DATE, decision_no={"type": "string", "minLength": 1, "maxLength": 100},
                       detail=LONG_TEXT)

SERIOUS_REMOVAL = body(
    ["removed_on", "explanation", "penalty_performed", "harm_removed", "no_further_heavy_penalty"],
    removed_on=DATE, explanation=LONG_TEXT, penalty_performed={"type": "boolean"},
    harm_removed={"type": "boolean"}, no_further_heavy_penalty={"type": "boolean"},
)

REVOCATION = body(["revoked_on", "ground", "detail"], revoked_on=DATE,
                  ground={"enum": ["licence_revoked", "registration_annulled"]},
                  decision_no={"type": "string", "minLength": 1, "maxLength": 100}, detail=LONG_TEXT)
