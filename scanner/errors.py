"""Errors a user can cause and act on: printed as one line, exit code 2, never a traceback."""


class UsageError(Exception):
    """Bad usage or an environment the scan cannot start in; the message says what was expected."""
