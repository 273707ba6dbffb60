"""Machinery shared by every provider: HTTP, export jobs, streaming CSV to Arrow, windows, ledger."""
