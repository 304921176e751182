"""The demo programme and people that `load_demo` loads (never in production)."""
