"""Starts the network guard in Python subprocesses of the test session (see _netguard)."""

import os

if os.environ.get("NOTEREVIEW_NO_NETWORK") == "1":
    import _netguard

    _netguard.install(os.environ.get("NOTEREVIEW_NETGUARD_LOG"))
