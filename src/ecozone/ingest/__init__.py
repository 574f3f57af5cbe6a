"""Ingestion: from a received frame to a verdict, stored rows and the answer owed.

The same rules serve the TCP gateway and `ecozone ingest FILE`, so history
imported from a file is judged exactly as live data. rules.py is pure;
service.py batches verdicts into group commits.
"""
