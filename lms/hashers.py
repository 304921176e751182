"""The password hasher: Argon2id at the parameters OWASP's password storage guidance gives as
its first choice (19 MiB of memory, two passes, one lane).

Django's own Argon2 hasher asks for 100 MiB and eight lanes, and its default PBKDF2 for
hundreds of thousands of SHA-256 rounds: either way each login holds a core for a large part
of a second on the small servers of a provincial office, and a class signing in at the start
of a session queues behind itself. Argon2id at these settings is memory-hard (what slows a
guessing attacker's graphics cards) and costs a login a few tens of milliseconds. Stored
hashes of the other hashers still check, and are re-hashed with this one at the next login.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (argon2id, the same stored format) with OWASP's parameters."""

    time_cost = 2
    memory_cost = 19456  # KiB
    parallelism = 1
