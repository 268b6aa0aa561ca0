"""arxport: arXiv daily digests to the formats researchers and their tools use."""

__version__ = "0.1.0"
