"""Enrolments, lesson progress, quiz attempts and the one completion engine."""
