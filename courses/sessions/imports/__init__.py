"""Session and attendance files: checked whole, written through the session services."""
