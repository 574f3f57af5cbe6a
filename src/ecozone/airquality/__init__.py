"""Ambient air quality (plan items 14, 21): AQI of the air stations per HJ 633-2012.

`rules` turns hourly means into the real-time and daily reports (IAQI, AQI, level, primary
pollutant) with the validity counts of GB 3095-2012 Table 4; `service` reads a station's hourly
values (computed ones first) and answers `latest_aqi` and `station_aqi`; `api.router` serves
/api/v1/airquality and `cli.app` is `ecozone airquality`.
"""
