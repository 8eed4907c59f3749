"""What every tab of the web app does around its one call: turn the failures a user can
cause into a message, log them in one line, and keep the real faults loud.

The UI library stays out of ``shared``: a tab passes its own error type in.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("rnn_suite.web")


def user_errors(endpoint: str, message_error: Callable[[str], Exception]) -> Callable[[F], F]:
    """Wrap a tab function so that a ``ValueError`` (bad input, a model folder that does not
    load: :class:`~shared.pretrained.ModelLoadError` is one) reaches the page as
    ``message_error(text)`` and the log as one line; other exceptions pass unchanged.
    A generator function (a streaming endpoint) stays one."""

    def refuse(err: ValueError) -> Exception:
        text = str(err) or type(err).__name__
        log.info("%s: refused: %s", endpoint, text)
        return message_error(text)

    def wrap(fn: F) -> F:
        if inspect.isgeneratorfunction(fn):  # a streaming endpoint fails while it yields

            @functools.wraps(fn)
            def streamed(*args: Any, **kwargs: Any) -> Any:
                try:
                    yield from fn(*args, **kwargs)
                except ValueError as err:
                    raise refuse(err) from None

            return streamed  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except ValueError as err:
                raise refuse(err) from None

        return wrapped  # type: ignore[return-value]

    return wrap


def check_length(text: str | None, limit: int, what: str = "text") -> None:
    """Refuse text over ``limit`` characters with a message naming both (a ``ValueError``,
    which :func:`user_errors` turns into a message on the page)."""
    if text is not None and len(text) > limit:
        raise ValueError(f"The {what} is {len(text)} characters long; the limit is {limit}.")
