"""Request bodies of the IP-protection routes (JSON Schema; unknown fields are refused)."""
from shared.http.fields import DATE, LONG_TEXT, MONEY, PARTY, SHORT_TEXT, USCC, body

NAME = {"type": "string", "minLength": 1, "maxLength": 100}
PLACES = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 100}, "maxItems": 100}

MARK = body(
    ["name", "kind", "status", "registrant"],
    name=NAME, kind={"enum": ["trademark", "gi_certification_mark", "gi_collective_mark", "gi_product"]},
    status={"enum": ["application", "registered", "expired", "revoked"]}, registrant=SHORT_TEXT,
    registration_number={"type": "string", "pattern": "^[0-9A-Za-z-]{1,40}$"},
    goods={"type": "array", "items": SHORT_TEXT, "maxItems": 100}, valid_from=DATE, valid_until=DATE,
    region=PLACES, product_standard={"type": "string", "maxLength": 2000},
    unconfirmed={"type": "array", "items": {"type": "string", "maxLength": 40}, "maxItems": 20},
)

AUTHORIZATION = body(
    ["uscc", "name", "decision", "on"],
    uscc=USCC, name=SHORT_TEXT, decision={"enum": ["admit", "refuse"]}, on=DATE,
    origin={"type": "string", "maxLength": 300},            # where the producer produces (G-USE)
    meets_conditions={"type": "boolean"},                   # meets the GI's product standard / use rules
    reason=LONG_TEXT,
)

REPORT = body(
    ["mark_name_used", "product", "seller", "role", "observed_on", "reporter"],
    mark_id={"type": "string", "pattern": "^[A-Za-z0-9_.:-]{1,64}$"},
    mark_name_used={"type": "string", "minLength": 1, "maxLength": 200},
    product=SHORT_TEXT, seller=PARTY, role={"enum": ["manufacturer", "seller"]},
    supplier_uscc=USCC,                                       # goods bought from an authorised user
    claimed_origin={"type": "string", "maxLength": 300}, actual_origin={"type": "string", "maxLength": 300},
    sales_amount_yuan=MONEY, unsold_goods_yuan=MONEY, illegal_gains_yuan=MONEY, goods_value_yuan=MONEY,
    marks_count={"type": "integer", "minimum": 1, "maximum": 100},
    meets_product_standard={"type": "boolean"}, did_not_know={"type": "boolean"},
    lawful_acquisition_proven={"type": "boolean"}, supplier_named={"type": "boolean"},
    observed_on=DATE,
    reporter=body(["kind"], kind={"enum": ["officer", "right_holder", "public"]}, name=SHORT_TEXT,
                  phone={"type": "string", "maxLength": 30}),
    description=LONG_TEXT,
)
