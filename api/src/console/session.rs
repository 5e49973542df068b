//! Console sessions: a token typed once on the login page becomes a random session id in an
//! `HttpOnly`, `SameSite=Strict` cookie (`Secure` when the request came over HTTPS). The
//! session keeps only the token's SHA-256 and is checked against the live access view on
//! every request, so a revoked token ends its sessions at the next request. Each session
//! has its own CSRF token, which every form carries and every POST must repeat.
//!
//! Sessions live in this process's memory: a restart logs everyone out, and several API
//! nodes behind one address need sticky sessions (or a log-in per node).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, header};
use liangye_events::catalogue::SecretSha256;

/// The session cookie.
pub const COOKIE: &str = "liangye_session";
/// The login form's double-submit CSRF cookie (there is no session yet to hold it).
pub const LOGIN_COOKIE: &str = "liangye_login_csrf";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";

/// A session ends after this long without a request.
pub const IDLE: Duration = Duration::from_secs(30 * 60);
/// And after this long in any case.
pub const ABSOLUTE: Duration = Duration::from_secs(8 * 60 * 60);
/// At most this many sessions are held; the oldest go first.
const MAX_SESSIONS: usize = 10_000;

#[derive(Debug, Clone)]
struct Session {
    secret_sha256: SecretSha256,
    csrf: String,
    created: Instant,
    seen: Instant,
}

impl Session {
    fn expired(&self, now: Instant, idle: Duration, absolute: Duration) -> bool {
        now.saturating_duration_since(self.seen) > idle
            || now.saturating_duration_since(self.created) > absolute
    }
}

/// A live session, as a request sees it.
#[derive(Debug, Clone)]
pub struct Found {
    pub id: String,
    pub secret_sha256: SecretSha256,
    pub csrf: String,
}

/// Why there is no session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// No cookie, or one this process never issued.
    None,
    /// It was issued but has expired.
    Expired,
}

/// The sessions of this process.
#[derive(Debug)]
pub struct Sessions {
    inner: Mutex<HashMap<String, Session>>,
    idle: Duration,
    absolute: Duration,
}

impl Default for Sessions {
    fn default() -> Self {
        Self::new(IDLE, ABSOLUTE)
    }
}

impl Sessions {
    pub fn new(idle: Duration, absolute: Duration) -> Self {
        Self {
            inner: Mutex::new(HashMap::new()),
            idle,
            absolute,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Opens a session for a token; returns its id.
    pub fn open(&self, secret_sha256: SecretSha256, now: Instant) -> Result<String, getrandom::Error> {
        let id = random_hex()?;
        let csrf = random_hex()?;
        let mut sessions = self.lock();
        sessions.retain(|_, s| !s.expired(now, self.idle, self.absolute));
        if sessions.len() >= MAX_SESSIONS
            && let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, s)| s.created)
                .map(|(k, _)| k.clone())
        {
            sessions.remove(&oldest);
        }
        sessions.insert(
            id.clone(),
            Session {
                secret_sha256,
                csrf,
                created: now,
                seen: now,
            },
        );
        Ok(id)
    }

    /// The session `id` names, touched at `now`; an expired one is removed.
    pub fn find(&self, id: &str, now: Instant) -> Result<Found, Missing> {
        let mut sessions = self.lock();
        let Some(session) = sessions.get_mut(id) else {
            return Err(Missing::None);
        };
        if session.expired(now, self.idle, self.absolute) {
            sessions.remove(id);
            return Err(Missing::Expired);
        }
        session.seen = now;
        Ok(Found {
            id: id.to_owned(),
            secret_sha256: session.secret_sha256,
            csrf: session.csrf.clone(),
        })
    }

    /// Ends session `id`.
    pub fn close(&self, id: &str) {
        self.lock().remove(id);
    }

    /// Ends every session of a token (its token was revoked).
    pub fn close_token(&self, secret_sha256: &SecretSha256) {
        self.lock().retain(|_, s| &s.secret_sha256 != secret_sha256);
    }
}

/// 32 random bytes from the operating system, as 64 hex digits.
pub fn random_hex() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

/// Equal, compared in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of cookie `name` in the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// Whether the request reached us over HTTPS (directly or through a proxy that says so).
pub fn over_https(headers: &HeaderMap) -> bool {
    let forwarded_proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .next()
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
        });
    let forwarded = headers
        .get(header::FORWARDED)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("proto=https"));
    forwarded_proto || forwarded
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Strict`, `Path=/`, `Secure` when `secure`;
/// `max_age` 0 deletes the cookie, `None` makes it last as long as the browser session.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<u64>) -> HeaderValue {
    let mut text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        text.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("liangye_session=; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> SecretSha256 {
        liangye_services::access::secret_sha256("lyt_test")
    }

    #[test]
    fn sessions_expire_when_idle_and_in_any_case() {
        let sessions = Sessions::new(Duration::from_secs(60), Duration::from_secs(600));
        let t0 = Instant::now();
        let id = sessions.open(secret(), t0).expect("randomness");
        // Kept alive by use…
        for minute in 1..=9 {
            let found = sessions.find(&id, t0 + Duration::from_secs(minute * 59));
            assert!(found.is_ok(), "minute {minute}");
        }
        // …but never past the absolute limit.
        assert_eq!(
            sessions.find(&id, t0 + Duration::from_secs(601)).err(),
            Some(Missing::Expired)
        );
        assert_eq!(
            sessions.find(&id, t0 + Duration::from_secs(602)).err(),
            Some(Missing::None)
        );

        let id = sessions.open(secret(), t0).expect("randomness");
        assert_eq!(
            sessions.find(&id, t0 + Duration::from_secs(61)).err(),
            Some(Missing::Expired)
        );
    }

    #[test]
    fn closing_a_token_ends_its_sessions() {
        let sessions = Sessions::default();
        let now = Instant::now();
        let a = sessions.open(secret(), now).expect("randomness");
        let b = sessions.open(secret(), now).expect("randomness");
        let other = sessions
            .open(liangye_services::access::secret_sha256("lyt_other"), now)
            .expect("randomness");
        assert_ne!(a, b);
        sessions.close_token(&secret());
        assert!(sessions.find(&a, now).is_err());
        assert!(sessions.find(&b, now).is_err());
        assert!(sessions.find(&other, now).is_ok());
    }

    #[test]
    fn reads_cookies_and_https() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; liangye_session=abc ; b=2"),
        );
        assert_eq!(cookie(&headers, COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "c"), None);
        assert!(!over_https(&headers));
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(over_https(&headers));
        let c = set_cookie(COOKIE, "x", true, None);
        assert_eq!(
            c.to_str().unwrap(),
            "liangye_session=x; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
