"""Everything that keeps untrusted input contained.

* :mod:`.confine` — the one choke point for every path a source names (``Root``);
* :mod:`.fetch` — the confined fetcher: the only way resources are read;
* :mod:`.xml` — the one hardened XML parser; :mod:`.svg` — SVG images made safe;
* :mod:`.zip` — archives read without extracting; :mod:`.weasy` — WeasyPrint objects
  made only with the confined fetcher;
* :mod:`.isolation` — each document in its own process under time and memory limits;
* :mod:`.outputs` — outputs written atomically.

See ``docs/security.md`` for what is promised.
"""
