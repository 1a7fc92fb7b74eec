"""Images: decoding and re-encoding uploads (processing) and the `flask images` commands (cli)."""
