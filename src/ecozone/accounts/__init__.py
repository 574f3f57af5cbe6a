"""Accounts: users and roles, browser sessions and API tokens, access enforcement, the audit log.

Roles are admin, supervisor (city-wide, or one district), enterprise (its own
enterprises), coordinator (plan tracking) and the anonymous public (disclosed
data only). `deps` holds the FastAPI dependencies every route uses to find the
principal and scope its data; `audit.record` and the `AuditWrites` middleware
keep who changed what. `throttle` slows down password guessing (attempts kept in the database).
"""

from ecozone.accounts.model import (
    PUBLIC,
    AccountError,
    AuthError,
    Principal,
    RateLimited,
    Role,
    User,
)

__all__ = ["PUBLIC", "AccountError", "AuthError", "Principal", "RateLimited", "Role", "User"]
