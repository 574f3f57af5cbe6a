"""The `ecozone` command: a thin Typer shell over the capability packages.

Each package that has commands offers a Typer sub-app in its own `cli.py`;
this module only mounts them.
"""

from __future__ import annotations

import typer

from ecozone import __version__
from ecozone.accounts.cli import app as users_app
from ecozone.airquality.cli import app as airquality_app
from ecozone.archive.cli import app as archive_app
from ecozone.compliance.cli import alerts_app, marks_app, permit_app, webhooks_app
from ecozone.demo.cli import demo_command
from ecozone.disclosure.cli import app as disclosure_app
from ecozone.energy.cli import app as energy_app
from ecozone.gateway.cli import gateway_command
from ecozone.ingest.cli import ingest_command, writer_command
from ecozone.measurements.cli import query_command
from ecozone.monitoring.cli import app as monitoring_app
from ecozone.plan.cli import app as plan_app
from ecozone.power.cli import app as power_app
from ecozone.projects.cli import app as projects_app
from ecozone.quality.cli import app as quality_app
from ecozone.registry.cli import app as registry_app
from ecozone.reports.cli import app as reports_app
from ecozone.simulator.cli import run_command as simulate_command
from ecozone.statistics.cli import app as statistics_app
from ecozone.store.cli import app as db_app
from ecozone.supervision.cli import app as inspect_app
from ecozone.supervision.credit_cli import app as credit_app
from ecozone.trading.cli import app as trading_app
from ecozone.waste.cli import app as waste_app
from ecozone.waterquality.cli import app as waterquality_app
from ecozone.web.cli import app as web_app
from ecozone.zoning.cli import app as zoning_app

app = typer.Typer(
    help="ecozone: eco-environment supervision platform for industrial and free-trade zones.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def version() -> None:
    """Print the ecozone version."""
    typer.echo(__version__)


app.add_typer(db_app, name="db", help="Database schema: `ecozone db upgrade`.")
app.add_typer(registry_app, name="registry", help="Zone, enterprises, points and devices.")
app.add_typer(users_app, name="users", help="Users, roles and API tokens.")
app.add_typer(monitoring_app, name="monitoring", help="Hourly/daily values: recompute, capture.")
app.add_typer(permit_app, name="permit", help="Discharge permits: limits and annual caps.")
app.add_typer(alerts_app, name="alerts", help="Alerts and their handling.")
app.add_typer(marks_app, name="marks", help="Data-marking declarations.")
app.add_typer(webhooks_app, name="webhooks", help="Alert notification webhooks.")
app.add_typer(power_app, name="power", help="Emission–electricity linkage: facilities, findings.")
app.add_typer(inspect_app, name="inspect", help="双随机、一公开: campaigns and verifiable draws.")
app.add_typer(credit_app, name="credit", help="Enterprise environmental credit by year.")
app.add_typer(disclosure_app, name="disclosure", help="Lawful environmental disclosure (order 24).")
app.add_typer(plan_app, name="plan", help="The plan's 23 measures: progress, matrix, exports.")
app.add_typer(reports_app, name="report", help="Annual self-monitoring reports.")
app.add_typer(web_app, name="web", help="Web pages: dashboard, map, portal.")
app.add_typer(airquality_app, name="airquality", help="AQI of the air stations (HJ 633-2012).")
app.add_typer(waterquality_app, name="waterquality", help="Surface-water class (GB 3838-2002).")
app.add_typer(energy_app, name="energy", help="Energy (GB/T 2589-2020 tce) and carbon accounts.")
app.add_typer(waste_app, name="waste", help="Hazardous waste ledgers (HJ 1259-2022).")
app.add_typer(trading_app, name="trading", help="Carbon-allowance and discharge-rights ledgers.")
app.add_typer(zoning_app, name="zoning", help="三线一单 layers, location check, red line, soil.")
app.add_typer(projects_app, name="projects", help="EIA project scheduling and the approval clock.")
app.add_typer(quality_app, name="quality", help="Noise, construction dust, sewer overflows.")
app.add_typer(
    statistics_app, name="statistics", help="Transmission effectiveness, emissions, exceedances."
)
app.add_typer(archive_app, name="archive", help="Measurement archive: partitions, Parquet months.")
app.command("gateway")(gateway_command)
app.command("ingest")(ingest_command)
app.command("writer")(writer_command)
app.command("query")(query_command)
app.command("simulate")(simulate_command)
app.command("demo")(demo_command)


@app.command()
def serve(
    host: str = typer.Option(None, help="Address to listen on [ECOZONE_HTTP_HOST]"),
    port: int = typer.Option(None, help="HTTP port [ECOZONE_HTTP_PORT]"),
) -> None:
    """Serve the web UI, the REST API (/api/v1) and /metrics."""
    from ecozone.api import serve as serve_http

    serve_http(host=host, port=port)
