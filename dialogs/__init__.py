"""The conversation: a declarative flow, a pure step function, replies through gettext.

Public API: `step(state, event, now) -> (state, replies)`, `apology(state, event, now)`
(the replies for a turn whose step raised) and `command_descriptions(lang)`.
"""

from dialogs.engine import apology, step
from dialogs.render import command_descriptions

__all__ = ["apology", "command_descriptions", "step"]
