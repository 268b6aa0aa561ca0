"""``docx``: a Word document, built as WordprocessingML text spliced into python-docx's parts.

* :mod:`.writer`  the :class:`~converters.writers.base.Writer` class and the package around the body;
* :mod:`.layout`  what goes on the page: headings, contents, paper blocks;
* :mod:`.wordml`  the paragraph, run and field XML fragments.
"""
