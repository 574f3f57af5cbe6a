from ecozone.cli import app

app(prog_name="ecozone")
