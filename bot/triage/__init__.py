"""Triage: hand a conversation to a person at the desk, and back.

`cases` owns the case rows and their transcript (one short function per action, each in
the caller's transaction); `route` is the turn hook that sends a user's messages to the
open case instead of the dialog; `desk` talks to the desk's Telegram forum group through a
small protocol that each Telegram library implements (`bot.telegram.*_runner`).
"""
