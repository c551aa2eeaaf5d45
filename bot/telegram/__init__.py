"""Telegram: thin adapters (python-telegram-bot, aiogram) around `bot.service.handle`.

`incoming` turns what a user did into an `Event`, `render` turns replies into Bot API
messages, `runner` holds what both libraries share (webhook secret, turn, delivery),
`ptb_runner` and `aiogram_runner` speak to the Bot API, `run` is `leenwijzer telegram`.
"""
