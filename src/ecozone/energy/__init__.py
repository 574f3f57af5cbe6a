"""Energy and carbon (plan items 1, 6 and 11): energy data per enterprise, GB/T 2589-2020
comprehensive energy consumption in tce, the key-energy-user online-monitoring data-quality
checks, dual control, enterprise CO2 (scope 1 and 2) and forest carbon sinks.

`rules` holds the computations over plain data and the factor sets passed in; `factors`
reads the versioned coefficient files in `data/`; `service` and `carbon` are the use cases;
`api.router` is /api/v1/energy and `cli.app` is `ecozone energy`.
"""
