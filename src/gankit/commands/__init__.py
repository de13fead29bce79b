"""The CLI's commands, one module each; every module lists its click commands in ``COMMANDS``.

``gankit.cli`` finds the modules here by themselves, so a new command is a new file.
"""
