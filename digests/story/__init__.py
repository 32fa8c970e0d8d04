"""Stories across days: which earlier published items a new item resembles.

- ``similarity``: an item's text to tokens, a MinHash signature and its bands (pure).
- ``index``: the bands kept in ``StoryBand`` rows, and the lookup of similar items.
- ``desk``: the editor's "reported before" hints and decisions (follow-up, repeat).
"""
