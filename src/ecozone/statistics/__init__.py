"""Statistics of the eco-environment big-data centre (plan item 21, 统计报表): data
transmission and effectiveness rates, emissions against permitted amounts, exceedance and
alert-handling statistics, environmental-quality statistics, and the monthly and annual
statistical reports generated on a schedule.

Each statistic has its pure computation over plain data, a use case that reads the store,
a page with xlsx/PDF exports and an API under /api/v1/statistics.
"""
