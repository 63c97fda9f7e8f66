"""The permission check every view uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from audits.access import Action, Target, allowed

F = TypeVar("F", bound=Callable[..., Any])


def require(action: Action, target: Target | None = None) -> None:
    """Abort with 403 unless the signed-in user may take ``action`` on ``target``."""
    if not current_user.is_authenticated:
        abort(401)
    if not allowed(current_user, action, target):
        abort(403)


def permission_required(action: Action) -> Callable[[F], F]:
    """Decorate a view: sign-in required, and the user's role must allow ``action``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            require(action)
            return view(*args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorator


def can(action: Action, target: Target | None = None) -> bool:
    """Whether the signed-in user may take ``action`` on ``target`` (for templates)."""
    return current_user.is_authenticated and allowed(current_user, action, target)
