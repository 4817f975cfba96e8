"""The playground: the real bot against the Bot API emulator, with a web chat page."""
