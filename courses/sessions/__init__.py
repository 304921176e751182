"""In-person training sessions, attendance, sign-in sheets and their imports."""
