"""The CLI's commands, one module each; every module lists its click commands in ``COMMANDS``.

``gankit.cli`` finds the modules here by themselves, so a new command is a new file.
A command imports what it runs inside its function: ``gankit --help``, ``--version`` and a wrong
option answer without importing torch and the library.
"""
