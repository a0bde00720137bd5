"""jifen — the village points-supermarket ledger."""

__version__ = "0.1.0"
