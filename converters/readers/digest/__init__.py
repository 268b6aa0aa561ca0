"""The digest family: the generator's Markdown (:mod:`.markdown`), that Markdown rendered as a web page
(:mod:`.html`, with :mod:`.html_blocks`), and the generator's own JSON Lines (:mod:`.jsonl`).
:mod:`.common` holds what the Markdown and HTML readers share: the label vocabulary, the digest-level
state and the checks.
"""
