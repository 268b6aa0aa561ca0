"""Text handling every writer shares: cleaning untrusted values (:mod:`.clean`) and LaTeX escaping (:mod:`.latex`)."""
