"""Hazardous waste (plan items 15, 18, 19): the list (国家危险废物名录 2021 and 2025, versioned
data), handlers and their licences, storage facilities and the ledger (HJ 1259-2022), transfer
manifests (order 23), collection points for small generators, and the checks raised into the
alert desk.

`rules` checks codes and names against the edition in force, computes the management class,
stock and storage age (FIFO) and the mass balance, and judges a receiver's licence; `service`
(ledger), `manifests`, `collection` and `checks` are the use cases over `store`; `api.router`
is /api/v1/waste, `cli.app` is `ecozone waste`.
"""
