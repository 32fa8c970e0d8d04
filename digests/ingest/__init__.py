"""The sources' feeds: polled by the worker, their entries kept as candidates for the inbox.

- ``fetch``: one poll of one source's feed (conditional GET, timeout, size cap, redirect
  limit) and the source's error state.
- ``candidates``: entries to ``Candidate`` rows (normalised links, near-duplicates), pruning.
- ``inbox``: the desk's inbox in the admin, the section guess, "add to today's draft".
"""
