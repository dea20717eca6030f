"""JSON Schema fragments for request bodies, so every service validates the same things alike."""
from __future__ import annotations

from typing import Any

# Yuan, to the fen; absurd amounts (negative, NaN, 10^20) are refused by the schema.
MONEY = {"type": "number", "minimum": 0, "maximum": 10_000_000_000}  # quantised to the fen server-side
# A real calendar date in a plausible range (a year 9999 would overflow deadline arithmetic).
DATE = {"type": "string", "format": "date", "pattern": "^(199[0-9]|20[0-9]{2})-[0-9]{2}-[0-9]{2}$"}
SHORT_TEXT = {"type": "string", "minLength": 1, "maxLength": 200}
LONG_TEXT = {"type": "string", "minLength": 1, "maxLength": 20_000}
IDENTIFIER = {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{1,64}$"}
# R-USCC: 18 characters from the code's alphabet (the check characters are registration's business).
USCC = {"type": "string", "pattern": "^[0-9ABCDEFGHJKLMNPQRTUWXY]{18}$"}
PARTY = {
    "type": "object", "additionalProperties": False, "required": ["name", "kind"],
    "properties": {
        "uscc": USCC, "name": SHORT_TEXT,
        "kind": {"enum": ["organisation", "natural_person", "individual_business"]},
        "id_number": {"type": "string", "pattern": "^[0-9]{17}[0-9X]$"},
        "phone": {"type": "string", "maxLength": 30}, "address": {"type": "string", "maxLength": 500},
    },
}


def body(required: list[str], **properties: Any) -> dict[str, Any]:
    """A closed object schema: unknown fields are refused (422), not ignored."""
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}
