"""Legal vocabulary shared by several services (pure Python): penalty kinds, party kinds, and the
amounts that more than one rule compares against (H-RIGHT in enforcement, M-* in legal_review), and
the public-disclosure rules (P-*), whose redaction (P-REDACT) enforcement also applies before any
decision text leaves it in an event."""
