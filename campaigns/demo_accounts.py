"""The sandbox's built-in demo account and Page, their credentials, and the sandbox's port.

These are not secrets: they only open the local sandbox. The service uses them when no real
platform credentials are configured, so that a fresh install publishes somewhere a person can see.
They live in the product because the product needs them (``campaigns.account_config``); the
sandbox (``sandbox/``) imports them from here, never the reverse.
"""

X_USER_ID = "1500000000000000001"
X_USERNAME = "SSWAlliance_demo"
X_NAME = "Social Service Workforce Alliance (sandbox)"
X_CONSUMER_KEY = "sandbox-consumer-key"
X_CONSUMER_SECRET = "sandbox-consumer-secret"
X_ACCESS_TOKEN = f"{X_USER_ID}-sandbox-access-token"
X_ACCESS_TOKEN_SECRET = "sandbox-access-token-secret"
X_BEARER_TOKEN = "sandbox-bearer-token"

FB_PAGE_ID = "100000000000001"
FB_PAGE_NAME = "Social Service Workforce Alliance (sandbox)"
FB_PAGE_TOKEN = "sandbox-page-access-token"

DEFAULT_PORT = 8765


# --- the deterministic family of extra accounts (benchmarks use 100) --------------------------------
# Number n >= 1 of the family. Same consumer app and bearer token as the demo account; ids and
# tokens are derived from n, so a benchmark can compute any account's credentials without asking.


def x_user_id(n: int) -> str:
    return str(int(X_USER_ID) + 1000 + n)


def x_username(n: int) -> str:
    return f"sandbox_user_{n:03d}"


def x_access_token(n: int) -> str:
    return f"{x_user_id(n)}-sandbox-access-token"


def x_access_token_secret(n: int) -> str:
    return f"sandbox-access-token-secret-{n}"


def fb_page_id(n: int) -> str:
    return str(int(FB_PAGE_ID) + 1000 + n)


def fb_page_token(n: int) -> str:
    return f"sandbox-page-access-token-{n}"
