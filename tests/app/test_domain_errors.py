"""Every service refusal is a DomainError: one code, one status, one sentence, for pages and API."""

import importlib
import inspect

import pytest
from flask_babel import force_locale

from app.errors import DomainError, handle_domain_error
from scheduling import services as scheduling

SERVICE_MODULES = [
    "app.auth.services",
    "app.places.services",
    "scheduling.services",
    "scheduling.campaigns.services",
    "scheduling.checkin.services",
    "scheduling.teams.services",
    "courses.learners.services",
    "courses.learning.grading",
    "courses.learning.services",
    "courses.reports.services",
    "impact.assists.entries",
    "impact.dashboard.services",
    "impact.home_support.services",
    "impact.procedures.services",
]


@pytest.mark.parametrize("name", SERVICE_MODULES)
def test_every_exception_of_a_service_is_a_domain_error(name):
    module = importlib.import_module(name)
    exceptions = [
        cls
        for cls in vars(module).values()
        if inspect.isclass(cls) and issubclass(cls, Exception) and cls.__module__ == name
    ]
    assert exceptions
    assert all(issubclass(cls, DomainError) for cls in exceptions), exceptions


def test_a_refusal_carries_its_code_status_and_sentence(app):
    with app.test_request_context(), force_locale("en"):
        refusal = scheduling.Overlap()
        assert (refusal.code, refusal.status) == ("overlap", 409)
        assert refusal.message == "You already hold a shift at the same time."


def test_an_uncaught_refusal_is_the_api_json_error(app):
    with app.test_request_context("/api/v1/shifts/1/bookings"), force_locale("en"):
        response = handle_domain_error(scheduling.WeeklyLimit())
    assert response.status_code == 409
    assert response.get_json() == {
        "error": "weekly_limit",
        "message": "You have reached this campaign's limit of shifts per week.",
    }


def test_an_uncaught_refusal_on_a_page_shows_its_sentence_in_vietnamese(app):
    with app.test_request_context("/shifts/1/book"), force_locale("vi"):
        page, status = handle_domain_error(scheduling.ShiftClosed())
    assert status == 409
    assert "Không thể đăng ký ca này nữa: ca đã bắt đầu hoặc đã bị hủy." in page
