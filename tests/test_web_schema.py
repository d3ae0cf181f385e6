"""A schemathesis run against the live server: requests generated from the OpenAPI document, valid
ones and invalid ones, must get answers that the document describes, and never a server error.
Bounded in examples per operation and in time per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the server extra is not installed: pip install -e '.[server]'")
pytest.importorskip("schemathesis", reason="schemathesis is not installed: pip install -e '.[dev]'")

import schemathesis
from hypothesis import HealthCheck, given, settings

from bouncekit.web.openapi import openapi_document

from .test_web_server import call, serving

# The document cannot say every rule a valid request follows (the grammar of a code, a body that holds a
# message), so a schema-valid request may get a documented 422: status_code_conformance checks that,
# and positive_data_acceptance, which wants 2xx for every schema-valid request, is left out.
# Generated requests per operation and mode: 6 operations x 2 modes x 50 take well under a minute.
MAX_EXAMPLES = 50
REQUEST_TIMEOUT = 15
DOCUMENT = openapi_document()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE


@pytest.fixture(scope="module")
def live_url() -> Iterator[str]:
    with serving() as url:
        yield url


def _runs() -> list[Any]:
    """Every operation with valid requests; those that take input also with invalid ones."""
    runs = []
    for operation in (result.ok() for result in SCHEMA.get_all_operations()):
        spec = DOCUMENT["paths"][operation.path][operation.method.lower()]
        modes = [POSITIVE, NEGATIVE] if "parameters" in spec or "requestBody" in spec else [POSITIVE]
        runs += [pytest.param(operation, mode, id=f"{operation.label} {mode.value}") for mode in modes]
    return runs


@schemathesis.serializer("message/rfc822", "application/mbox")
def _raw_message(ctx: Any, value: Any) -> bytes:
    """A raw email is sent as it is; generated text becomes UTF-8 bytes."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


def test_the_served_document_is_the_one_tested(live_url: str) -> None:
    assert call(live_url, "GET", "/openapi.json").json() == DOCUMENT


@pytest.mark.parametrize(("operation", "mode"), _runs())
def test_api_answers_as_its_openapi_document_says(live_url: str, operation: Any, mode: Any) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    # derandomize: CI runs the same requests every time; run with a larger MAX_EXAMPLES to explore.
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        case.call_and_validate(base_url=live_url, timeout=REQUEST_TIMEOUT,
                               excluded_checks=[schemathesis.checks.positive_data_acceptance])

    check()
