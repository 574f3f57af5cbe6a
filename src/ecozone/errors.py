"""The platform's one error family, and what each kind means to HTTP and to the shell.

Every capability's errors derive from one of the four kinds below, so the
API maps them to a status in one handler (api.app) and the CLI to an exit
code in one place (cli_support); no route or command decides it on its own.
The message names what is wrong and where, and is safe to show.
"""

from __future__ import annotations


class EcozoneError(Exception):
    """A request the platform refuses; nothing stored was changed by it."""

    http_status = 400
    exit_code = 2


class Invalid(EcozoneError, ValueError):
    """The input is malformed or breaks a rule (a bad time, an unknown code, a wrong value)."""


class NotFound(EcozoneError, LookupError):
    """Absent, or not visible to the asker: both answer alike, so existence does not leak."""

    http_status = 404


class Conflict(EcozoneError):
    """The request clashes with what is stored (a duplicate, a state that forbids the step)."""

    http_status = 409


class Forbidden(EcozoneError):
    """The asker's role may not do this (they may see the object; otherwise it is NotFound)."""

    http_status = 403


class Unauthenticated(EcozoneError):
    """Nobody is logged in, or the credential expired."""

    http_status = 401


#: Exit status of a command whose database could not be used (not the input's fault).
EXIT_DATABASE = 1
