"""Annual and period evaluation of ambient air quality (HJ 663): percentiles, attainment
against GB 3095-2012 grade II, the comprehensive index, days by level and primary pollutant."""
