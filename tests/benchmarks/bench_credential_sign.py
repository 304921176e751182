"""Open Badges credential signing and checking speed, one process on one core.

Builds and signs BENCH_CREDENTIALS (default 1,000) credentials with the eddsa-rdfc-2022
cryptosuite (RDF canonicalisation with PyLD, Ed25519 with cryptography), as issuing does
for each certificate, then checks each proof again. No database: the documents and the
proofs only.

    .venv/bin/python -m tests.benchmarks credential_sign
"""

from __future__ import annotations

import datetime as dt
import os
import time
from decimal import Decimal

COUNT = int(os.environ.get("BENCH_CREDENTIALS", "1000"))
TITLES = [
    "Lồng ghép giới trong xây dựng chính sách",
    "Phòng, chống bạo lực gia đình",
    "Kỹ năng truyền thông cho cán bộ Hội cơ sở",
    "Bình đẳng giới trong vùng đồng bào dân tộc thiểu số",
]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    import django

    django.setup()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from certificates.openbadges import documents, proofs

    key = Ed25519PrivateKey.generate()
    method = "did:web:lms.example.vn#z6MkBench"
    issued_on = dt.date(2026, 11, 20)
    unsigned = []
    for number in range(COUNT):
        data = documents.AchievementData(
            course_id=number % len(TITLES) + 1,
            course_url=f"https://lms.example.vn/khoa-hoc/{number % len(TITLES)}/",
            title=TITLES[number % len(TITLES)],
            description="Khóa học dành cho cán bộ Hội các cấp.",
            hours=Decimal("4.5"),
            issued_on=issued_on,
            completed_at=dt.datetime(2026, 11, 19, 9, 30, tzinfo=dt.UTC),
            learner_key=f"{number:032x}",
        )
        unsigned.append(
            documents.credential_unsigned(
                data, credential_id=f"urn:uuid:{number:08d}", status_index=number, salt="ab12"
            )
        )
    now = dt.datetime.now(dt.UTC)
    # The contexts are parsed once per process: warm them, as a worker is after its first.
    proofs.sign(unsigned[0], private_key=key, verification_method=method, created=now)
    start = time.perf_counter()
    signed = [
        proofs.sign(doc, private_key=key, verification_method=method, created=now)
        for doc in unsigned
    ]
    sign_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for doc in signed:
        proofs.verify(doc, public_key=key.public_key())
    verify_seconds = time.perf_counter() - start
    print(f"   signed {COUNT} credentials in {sign_seconds:.2f} s: "
          f"{COUNT / sign_seconds:.0f} per second per core")  # fmt: skip
    print(f"   checked {COUNT} proofs in {verify_seconds:.2f} s: "
          f"{COUNT / verify_seconds:.0f} per second per core")  # fmt: skip
