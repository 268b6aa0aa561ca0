"""The citation-manager writers and what only they use.

* :mod:`.bibtex`   ``bibtex`` and ``biblatex``;
* :mod:`.ris`      ``ris``;
* :mod:`.csljson`  ``csljson``;
* :mod:`.records`  one record per paper, merged by id, as all four see it;
* :mod:`.keys`     stable citation keys;
* :mod:`.names`    author names split into given and family parts;
* :mod:`.bibmerge` reading an existing ``.bib`` for ``--merge``.
"""
