"""The web layer: SPARQL endpoint, named queries and linked data over the graph store.

Start it with ``metkg serve`` or :func:`metkg.web.server.run_server`; build an app for tests
with :func:`metkg.web.server.create_app`.
"""
