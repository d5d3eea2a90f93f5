"""SPARQL over the graph store: named queries, content negotiation, and query workers that stop on time.

Stages: :mod:`~metkg.sparql.named` reads ``queries/*.rq`` and binds their typed parameters,
:mod:`~metkg.sparql.negotiation` picks answer formats from ``Accept`` headers,
:mod:`~metkg.sparql.execute` runs one query and serializes the answer, and
:mod:`~metkg.sparql.pool` runs queries in worker processes that are killed at the timeout.
The web layer (:mod:`metkg.web`) is built on these; nothing here knows about HTTP.
"""
