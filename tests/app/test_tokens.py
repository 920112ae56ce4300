"""Signed tokens (app.tokens): one table of purposes, each with its own salt and expiry."""

import itertools

import pytest
from itsdangerous import timed

from app.tokens import PURPOSES, BadToken, ExpiredToken, signer

TIMED = [name for name, purpose in PURPOSES.items() if purpose.max_age is not None]
UNTIMED = [name for name, purpose in PURPOSES.items() if purpose.max_age is None]


@pytest.mark.parametrize("purpose", list(PURPOSES))
def test_a_token_reads_back_for_its_own_purpose(app, purpose):
    token = signer(purpose).dumps({"u": 7})
    assert signer(purpose).loads(token) == {"u": 7}


@pytest.mark.parametrize("made_for, read_as", list(itertools.permutations(PURPOSES, 2)))
def test_a_token_of_one_purpose_is_refused_by_every_other(app, made_for, read_as):
    token = signer(made_for).dumps({"u": 7})
    with pytest.raises(BadToken):
        signer(read_as).loads(token)


def test_a_token_signed_with_another_secret_is_refused(app):
    token = signer("certificate", "another-secret").dumps("AB12")
    with pytest.raises(BadToken):
        signer("certificate").loads(token)


@pytest.mark.parametrize("purpose", TIMED)
def test_a_timed_token_expires_after_its_purposes_max_age(app, purpose, monkeypatch):
    token = signer(purpose).dumps([1])
    max_age = signer(purpose).max_age
    now = timed.time.time()
    monkeypatch.setattr(timed.time, "time", lambda: now + max_age - 5)
    assert signer(purpose).loads(token) == [1]
    monkeypatch.setattr(timed.time, "time", lambda: now + max_age + 5)
    with pytest.raises(ExpiredToken):
        signer(purpose).loads(token)


def test_a_deployment_may_set_a_purposes_max_age(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", 120)
    assert signer("password-reset").max_age == 120
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    with pytest.raises(ExpiredToken):
        signer("password-reset").loads(signer("password-reset").dumps([1]))


@pytest.mark.parametrize("purpose", UNTIMED)
def test_an_untimed_token_has_no_age_to_judge(app, purpose):
    token = signer(purpose).dumps([1])
    with pytest.raises(TypeError):
        signer(purpose).loads(token, max_age=60)


def test_existing_salts_are_kept_so_issued_tokens_stay_valid():
    assert {name: p.salt for name, p in PURPOSES.items()} == {
        "password-reset": "caunoi.password-reset",
        "learner-resume": "caunoi.learner-resume",
        "assist-sync": "caunoi.assist-sync",
        "account-invitation": "caunoi.account-invitation",
        "import-upload": "caunoi.import-upload",
        "checkin-sync": "caunoi.checkin-sync",
        "quiz-sync": "caunoi.quiz-sync",
        "calendar-feed": "calendar-feed",
        "certificate": "certificate",
        "service-certificate": "caunoi.service-certificate",
        "checkin-poster": "checkin-poster",
        "checkin-live": "checkin-live",
        "checkin-badge": "checkin-badge",
    }
