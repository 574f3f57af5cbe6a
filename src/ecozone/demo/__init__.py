"""`ecozone demo`: the whole platform on the embedded default, with a demo zone.

Data directory, migrations, the demo registry (nine districts of the plan, about
30 enterprises), then the gateway, the web/API server and simulated devices in
one process. A second run reuses the data.
"""
