"""ecozone: eco-environment supervision platform for industrial and free-trade zones."""

__version__ = "0.1.0"
