"""Passwords are stored as Argon2id at OWASP's parameters; older hashes still sign in, and
are stored again as Argon2id when they do. The hash is checked by the argon2 library's own
parser, not by our code."""

import argon2
import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client

from lms.models import User

PASSWORD = "Mật-khẩu-đủ-dài-2026"


def parameters(encoded: str) -> argon2.Parameters:
    algorithm, _, rest = encoded.partition("$")
    assert algorithm == "argon2"
    return argon2.extract_parameters("$" + rest)


@pytest.mark.django_db
def test_a_new_password_is_stored_as_argon2id_at_owasp_s_parameters():
    user = User.objects.create_user(username="can.bo", password=PASSWORD)
    found = parameters(user.password)
    assert found.type is argon2.Type.ID
    assert (found.memory_cost, found.time_cost, found.parallelism) == (19456, 2, 1)
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "x")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hasher", ["pbkdf2_sha256", "argon2"], ids=["Django's PBKDF2", "Django's own Argon2"]
)
def test_an_older_hash_signs_in_and_is_stored_again_as_argon2id(hasher):
    user = User.objects.create_user(username="can.bo.cu")
    user.password = make_password(PASSWORD, hasher=hasher)
    user.save(update_fields=["password"])
    before = user.password
    response = Client().post("/accounts/login/", {"username": "can.bo.cu", "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password != before
    assert parameters(user.password).memory_cost == 19456
    assert user.check_password(PASSWORD)
