"""The API's settings, read from the environment (NOTEREVIEW_*) by the app factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from notereview.errors import ConfigError

PREFIX = "NOTEREVIEW_"


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob of the API. ``Settings.from_env()`` reads NOTEREVIEW_<FIELD NAME IN CAPS>,
    e.g. NOTEREVIEW_DATABASE_URL, NOTEREVIEW_CLAIM_HOURS, NOTEREVIEW_RATE_LIMIT_PER_MINUTE."""

    database_url: str | None = None  # None: $NOTEREVIEW_DATABASE_URL or sqlite:///notereview.db
    claim_hours: float = 4.0
    max_body_bytes: int = 1024 * 1024
    max_run_body_bytes: int = 64 * 1024 * 1024  # POST /runs carries a whole run
    exemplar_max_chars: int = 20_000
    rate_limit_per_minute: int = 120  # per token (per client address without one); 0 = off
    recent_audit_days: int = 90
    # rank the whole-file queue on the case model's p_inadequate where every file has one
    queue_use_case_model: bool = True
    queue_default_limit: int = 50
    queue_max_limit: int = 500
    agreement_k: int = 20
    trust_forwarded_for: bool = False  # take the client address from X-Forwarded-For
    migrate_on_start: bool = True
    # before serving, work out the latest run's scores, queue bounds and trends, and load the
    # reviewer (seconds on a large store), so the first requests do not each wait for them
    warm_on_start: bool = False
    # the web pages (src/notereview_api/pages): browser sessions and the trends' minimum team count
    session_idle_minutes: int = 30
    session_hours: float = 8.0  # absolute lifetime of a signed-in session
    secure_cookies: bool = False  # Secure cookies even when the request did not come over TLS
    trends_min_team_files: int = 10  # team figures below this many files are not shown
    # sign-in throttling, in the database (every worker sees it): this many failed sign-ins
    # (the sign-in page or a bearer token) from one address, or naming one account, within the
    # window lock that address or account out for the lockout; 0 = off
    sign_in_max_failures: int = 10
    sign_in_window_minutes: int = 15
    sign_in_lockout_minutes: int = 15
    # the OpenAPI document and /docs: served to admins, or (false) not at all
    api_docs: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for spec in fields(cls):
            raw = env.get(PREFIX + spec.name.upper())
            if raw is None or raw == "":
                continue
            values[spec.name] = _parse(spec.name, str(spec.type), raw)
        settings = cls(**values)  # type: ignore[arg-type]
        settings.validate()
        return settings

    def validate(self) -> None:
        for name in ("max_body_bytes", "max_run_body_bytes", "exemplar_max_chars"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{PREFIX}{name.upper()} must be 1 or more")
        if self.claim_hours <= 0:
            raise ConfigError(f"{PREFIX}CLAIM_HOURS must be more than 0")
        if self.rate_limit_per_minute < 0:
            raise ConfigError(f"{PREFIX}RATE_LIMIT_PER_MINUTE must be 0 (off) or more")
        if self.session_idle_minutes < 1 or self.session_hours <= 0:
            raise ConfigError(f"{PREFIX}SESSION_IDLE_MINUTES and SESSION_HOURS must be positive")
        if self.trends_min_team_files < 1:
            raise ConfigError(f"{PREFIX}TRENDS_MIN_TEAM_FILES must be 1 or more")
        if self.sign_in_max_failures < 0:
            raise ConfigError(f"{PREFIX}SIGN_IN_MAX_FAILURES must be 0 (off) or more")
        if self.sign_in_window_minutes < 1 or self.sign_in_lockout_minutes < 1:
            raise ConfigError(
                f"{PREFIX}SIGN_IN_WINDOW_MINUTES and SIGN_IN_LOCKOUT_MINUTES must be 1 or more"
            )
        if not 1 <= self.queue_default_limit <= self.queue_max_limit:
            raise ConfigError(f"{PREFIX}QUEUE_DEFAULT_LIMIT must be 1..QUEUE_MAX_LIMIT")


def _parse(name: str, kind: str, raw: str) -> object:
    env_name = PREFIX + name.upper()
    try:
        if kind.startswith("bool"):
            lowered = raw.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
    except ValueError:
        raise ConfigError(f"{env_name} must be a {kind.split(' ')[0]}") from None
    return raw
