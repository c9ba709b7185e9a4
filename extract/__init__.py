"""Text to typed facts: read a transcript or note, find what it says, resolve names.

Knows nothing of RDF; everything here takes and returns plain values (see `model`).
"""
