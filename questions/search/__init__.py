"""Searching the archive, read top-down:

- params.py: ``SearchParams``, one typed, immutable value parsed once from a query string, with the problems
  found in it;
- filters.py: the FilterSet: its form validates the parameters, its filters narrow the questions;
- query.py: counts, facets and pages what the filters select (one statement), with facets.py (live and stored
  counts), paging.py (which matches fill a page) and statement.py (named parameters);
- text.py: the text search configuration, what users type into ``to_tsquery``, snippets;
- results.py: what the outputs read: a page of results, or every match in date order;
- records.py: a question as the API, the CSV export and the feeds give it; http.py: their 400s;
- related.py: related questions for a question's page;
- lookups.py: what the archive knows of a query's words (names, synonyms, stop words), in one round trip;
- compounds.py: Dutch compounds and their parts (pure); vocabulary.py: the archive's words, learnt by imports
  and edits, whose compounds' parts the vector's trigger adds; suggestions.py: "Bedoelde u …?".

The outputs (questions/views.py, api.py, export.py, feeds.py) are thin adapters over
``SearchParams.from_query`` and ``results.search`` / ``results.every_match`` / ``results.newest_matches``.
The derived data the search reads (vectors, flags, facet counts) is kept by PostgreSQL: questions/triggers/.
"""
