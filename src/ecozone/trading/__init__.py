"""Allowance ledgers (plan items 11 and 20): Chongqing carbon allowances (渝府发〔2023〕6号)
and discharge rights (排污权: COD, NH3-N, SO2, NOx in t/a), one double-entry design for both.

`rules` holds the pure ledger arithmetic (balanced transactions, no overdraft, validity,
compliance positions, trade steps, price series); `service` posts allocations, trades,
surrenders, expiries and reversals in one locked transaction each; `api.router` is
/api/v1/trading and `cli.app` is `ecozone trading`.
"""
