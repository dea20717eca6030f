"""Reading an operator's values for a dataclass of legal amounts (DOMAIN.md: [S]/[U] amounts, and
anything a province may set, are configuration with defaults). Pure Python."""
from __future__ import annotations

from dataclasses import fields
from typing import Mapping, TypeVar

T = TypeVar("T")


def settings_from_mapping(cls: type[T], values: Mapping[str, object], what: str) -> T:
    """``cls`` with the operator's ``values`` (keys are field names; missing keys keep the defaults).
    Unknown keys raise ``ValueError`` so a misspelt setting is loud; whole-number fields accept their
    text form; ``source`` says where the values came from."""
    known = {f.name for f in fields(cls)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"unknown {what} settings: {', '.join(sorted(unknown))}")
    kwargs: dict[str, object] = {}
    for f in fields(cls):
        if f.name not in values:
            continue
        value = values[f.name]
        if f.name == "source":
            kwargs[f.name] = str(value)
        elif isinstance(f.default, int) and not isinstance(f.default, bool) and isinstance(value, str):
            try:
                kwargs[f.name] = int(value)
            except ValueError:
                raise ValueError(f"{f.name} must be a whole number, not {value!r}") from None
        else:
            kwargs[f.name] = value
    kwargs.setdefault("source", "operator configuration")
    return cls(**kwargs)  # type: ignore[call-arg]
