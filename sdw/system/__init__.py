"""sdw.system: the system endpoints' logic, written once against ports (see DESIGN.md)."""

from __future__ import annotations

from sdw.system._ports import Authorizer, PoolConfig, Principal, Tokens, User, UserDirectory

__all__ = ["Authorizer", "PoolConfig", "Principal", "Tokens", "User", "UserDirectory"]
