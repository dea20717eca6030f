"""Legal review (法制审核) of every major decision before it takes effect, and public disclosure (公示) of every penalty, on time and redacted."""
