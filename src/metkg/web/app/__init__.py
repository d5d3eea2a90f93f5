"""The people-facing web application: pages, their templates, static assets and charts.

The protocol API (SPARQL, named queries, linked data, Graph Store reads) lives beside it in
:mod:`metkg.web`; both render HTML through :mod:`metkg.web.app.pages`.
"""
