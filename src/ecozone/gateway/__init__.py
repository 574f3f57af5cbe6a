"""The HJ 212 TCP gateway: devices connect, authenticate, push data; ecozone answers.

server.py holds the asyncio server and one Session per connection; the
rules of what to store and answer live in ecozone.ingest.
"""
