"""The platforms' own error bodies. Handlers raise ``PlatformError``; the middleware answers it.

X uses RFC 7807 Problem+JSON bodies; the Graph API wraps everything in ``{"error": {...}}``.
Texts are the real ones (see shared/reference/platform-apis.md) where the reference records them.
"""

from __future__ import annotations

import secrets
from typing import Any

X_PROBLEMS = "https://api.twitter.com/2/problems/"


class PlatformError(Exception):
    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}")
        self.status, self.body, self.headers = status, body, headers or {}


# --- X ----------------------------------------------------------------------------------------------


def x_problem(
    status: int, title: str, detail: str, type_: str = "about:blank", **extra: Any
) -> PlatformError:
    return PlatformError(status, {"title": title, "detail": detail, "type": type_, "status": status, **extra})


def x_unauthorized() -> PlatformError:
    return x_problem(401, "Unauthorized", "Unauthorized")


def x_unsupported_authentication() -> PlatformError:
    return x_problem(
        403,
        "Unsupported Authentication",
        "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported "
        "authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
        X_PROBLEMS + "unsupported-authentication",
    )


def x_forbidden(detail: str) -> PlatformError:
    return x_problem(403, "Forbidden", detail)


def x_duplicate() -> PlatformError:
    return x_forbidden("You are not allowed to create a Tweet with duplicate content.")


def x_too_many_requests() -> PlatformError:
    return x_problem(429, "Too Many Requests", "Too Many Requests")


def x_invalid_request(
    message: str, parameter: str | None = None, values: list[str] | None = None
) -> PlatformError:
    error: dict[str, Any] = {"message": message}
    if parameter is not None:
        error["parameters"] = {parameter: values or []}
    return PlatformError(
        400,
        {
            "errors": [error],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": X_PROBLEMS + "invalid-request",
        },
    )


def x_not_found_error(resource_type: str, parameter: str, value: str) -> dict[str, str]:
    """One item of the ``errors`` list that lookups return with HTTP 200."""
    return {
        "value": value,
        "detail": f"Could not find {resource_type} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": value,
        "type": X_PROBLEMS + "resource-not-found",
    }


def x_server_error(status: int) -> PlatformError:
    title = "Service Unavailable" if status == 503 else "Internal Server Error"
    return x_problem(status, title, title)


# --- Graph API ----------------------------------------------------------------------------------


def graph_error(
    message: str,
    code: int,
    *,
    status: int = 400,
    type_: str = "OAuthException",
    subcode: int | None = None,
    user_title: str | None = None,
    user_msg: str | None = None,
    transient: bool | None = None,
) -> PlatformError:
    error: dict[str, Any] = {"message": message, "type": type_, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient is not None:
        error["is_transient"] = transient
    if user_title is not None:
        error["error_user_title"] = user_title
    if user_msg is not None:
        error["error_user_msg"] = user_msg
    error["fbtrace_id"] = secrets.token_urlsafe(8)
    return PlatformError(status, {"error": error})


def graph_no_token() -> PlatformError:
    return graph_error("An access token is required to request this resource.", 104)


def graph_bad_token() -> PlatformError:
    return graph_error("Invalid OAuth access token - Cannot parse access token", 190)


def graph_revoked_token() -> PlatformError:
    return graph_error(
        "Error validating access token: The session has been invalidated because the user changed their "
        "password or Facebook has changed the session for security reasons.",
        190,
        subcode=460,
    )


def graph_unknown_object(object_id: str, method: str = "get") -> PlatformError:
    return graph_error(
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be loaded due "
        "to missing permissions, or does not support this operation. Please read the Graph API "
        "documentation at https://developers.facebook.com/docs/graph-api",
        100,
        type_="GraphMethodException",
        subcode=33,
    )


def graph_invalid_parameter(message: str) -> PlatformError:
    return graph_error(f"(#100) {message}", 100)


def graph_duplicate() -> PlatformError:
    return graph_error(
        "Duplicate status message",
        506,
        subcode=1455006,
        transient=False,
        user_title="Duplicate Post",
        user_msg="This status update is identical to the last one you posted. Try posting something different, "
        "or delete your previous update.",
    )


GRAPH_RATE_LIMITS = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try again.",
}


def graph_rate_limited(code: int) -> PlatformError:
    return graph_error(GRAPH_RATE_LIMITS.get(code, GRAPH_RATE_LIMITS[32]), code, transient=True)


def graph_server_error(status: int) -> PlatformError:
    if status == 503:
        return graph_error("(#2) Service temporarily unavailable", 2, status=503, transient=True)
    return graph_error("An unknown error has occurred.", 1, status=status, transient=True)
