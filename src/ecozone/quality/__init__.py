"""Noise, construction dust and sewer overflows (plan items 13, 14, 16).

`rules` holds the standards (GB 3096-2008 zone limits, day/night and sudden noise; GB
12523-2011 site boundary; dust rules as data; overflow events and their volume); `noise`,
`dust` and `sewer` are the use cases, `service` the construction sites they share;
`api.router` is /api/v1/quality and `cli.app` is `ecozone quality`.
"""
