"""The numeric-claims ledger: the numbers each digest states, stored, traced and checked.

The pure extractor is ``digests.briefing.claims``; this package writes its results
as ``Claim`` rows, links the analysis' and trends' numbers to the items that
support them, and holds the edition checks and the desk's admin (docs/claims.md).
"""
