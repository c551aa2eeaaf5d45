"""The conversation: a declarative flow, a pure step function, replies through gettext.

Public API: `step(state, event, now) -> (state, replies)` and `command_descriptions(lang)`.
"""

from dialogs.engine import step
from dialogs.render import command_descriptions

__all__ = ["command_descriptions", "step"]
