"""Achievements, counter cells and rollups, the programme dashboard and its exports."""
