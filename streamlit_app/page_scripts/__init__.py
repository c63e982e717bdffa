"""Page scripts: each one line calling its view, so AppTest can switch to it by file."""
