"""OmegaT, the free CAT tool newsroom translators use: its project folder and its tags.

:mod:`pipeline.omegat.tags` names a segment's inline codes as OmegaT shows them. The project
writer (``pipeline export --format omegat``) and the reader of a translated project
(``pipeline review import DIR``) build on it; both are imported only when used.
"""
