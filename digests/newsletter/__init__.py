"""The briefing by e-mail: sign-up with double opt-in, sending, unsubscribing, privacy.

- ``tokens``: the signed links that stand for an address (confirm, preferences, unsubscribe).
- ``signup``: subscribing, confirming, preferences; the per-address and per-client limits.
- ``mail``: one mail of a digest for one subscriber (HTML with inlined CSS, and text).
- ``sending``: mailings and their ledger, in batches through the task worker.
- ``webhooks``: bounces and complaints from the mail provider (django-anymail's signal).
- ``views``: the reader's pages under /newsletter/.
"""
