"""EIA project scheduling (plan items 1 and 12): projects, their stages and approval clock.

`rules` holds the stage machine and the clock (环境影响评价法 art. 22 periods, paused for
technical review, hearings and expert review; committed days for pledges and pilot parks);
`service` runs them over the store, raises due and overdue alerts into the alert desk and
hands an operating project to the registry; `api.router` is /api/v1/projects and `cli.app`
is `ecozone projects`.
"""
