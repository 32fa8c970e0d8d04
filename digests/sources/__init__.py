"""The source registry: how often each source is cited, where, and how it fared."""
