//! Layered configuration: the embedded default, an optional file, then `CAREHUB__SECTION__KEY`
//! environment variables, validated once at start-up so a bad value stops the server with the
//! key's name instead of surfacing later as a strange failure.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The embedded default configuration (also the documentation of every key).
pub const DEFAULT_TOML: &str = include_str!("../../../config/default.toml");

/// The public demo signing key; refused outside demo mode.
const DEFAULT_JWT_SECRET: &str = "carehub-demo-signing-key-not-for-production-use";

/// Prefix of environment overrides; `__` separates the section from the key.
const ENV_PREFIX: &str = "CAREHUB__";

/// A value that must never reach a log line or a `Debug` dump.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The secret itself; call only where it is used, never to print.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// A database URL whose password is masked whenever it is displayed.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// The full URL, password included, for opening the connection.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// The URL with any password replaced, safe for logs.
    pub fn redacted(&self) -> String {
        let Some((scheme, rest)) = self.0.split_once("://") else {
            return self.0.clone();
        };
        match rest.split_once('@') {
            Some((userinfo, host)) => {
                let user = userinfo.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}:***@{host}")
            }
            None => self.0.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

/// Everything the server reads at start-up.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Listening and serving.
    pub server: ServerConfig,
    /// Storage.
    pub database: DatabaseConfig,
    /// Sign-in.
    pub auth: AuthConfig,
    /// Logging.
    pub log: LogConfig,
    /// Urgency targets and grace periods.
    pub triage: TriageConfig,
    /// The media relay and TURN.
    pub media: MediaSection,
}

/// `[media]`: see config/default.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaSection {
    /// UDP bind address.
    pub udp_bind: SocketAddr,
    /// Advertised IP ("" for the bound one).
    pub public_ip: String,
    /// Calls with video at once.
    pub max_calls: usize,
    /// Participants per call.
    pub max_participants: usize,
    /// Quality sampling interval.
    pub quality_interval_seconds: u32,
    /// Fit each receiver's video to its downlink.
    pub adaptation: bool,
    /// TURN shared secret ("" for none).
    pub turn_secret: Secret,
    /// TURN URLs.
    pub turn_urls: Vec<String>,
    /// TURN credential lifetime.
    pub turn_ttl_seconds: u32,
    /// Largest still photo accepted from a tablet, bytes.
    pub photo_max_bytes: usize,
    /// Seconds of lost video after which the nurse is offered "Phone the home".
    pub phone_offer_after_seconds: u32,
}

impl MediaSection {
    /// The advertised IP, if one is set.
    pub fn public_ip(&self) -> Option<std::net::IpAddr> {
        self.public_ip.parse().ok()
    }
}

/// `[triage]`: see config/default.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriageConfig {
    /// P1 target, seconds.
    pub target_p1_seconds: u32,
    /// P2 target, seconds.
    pub target_p2_seconds: u32,
    /// P3 target, seconds.
    pub target_p3_seconds: u32,
    /// P4 target, seconds.
    pub target_p4_seconds: u32,
    /// P5 target, seconds.
    pub target_p5_seconds: u32,
    /// How long a disconnected nurse keeps held calls.
    pub claim_grace_seconds: u32,
    /// How long a waiting call survives with no tablet of its home connected.
    pub abandon_grace_seconds: u32,
    /// Timer resolution, milliseconds.
    pub tick_ms: u32,
    /// Longest situation line.
    pub max_situation_chars: usize,
}

impl TriageConfig {
    /// The targets as the triage crate takes them.
    pub fn targets(&self) -> carehub_triage::Targets {
        carehub_triage::Targets {
            seconds: [
                self.target_p1_seconds,
                self.target_p2_seconds,
                self.target_p3_seconds,
                self.target_p4_seconds,
                self.target_p5_seconds,
            ],
        }
    }
}

/// `[server]`: see config/default.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Listening address.
    pub bind: SocketAddr,
    /// Seed demo data and allow the demo signing key.
    pub demo: bool,
    /// Days of fictional past calls seeded with the demo data.
    pub demo_history_days: u32,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// The hub's telephone number, shown to care staff when video cannot work.
    pub hub_phone: String,
}

/// SQLite durability level.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    /// fsync every commit.
    Full,
    /// fsync at checkpoints only.
    Normal,
}

/// `[database]`: see config/default.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// Where the data lives.
    pub url: DatabaseUrl,
    /// SQLite durability.
    pub synchronous: Synchronous,
    /// Lock wait, milliseconds.
    pub busy_timeout_ms: u32,
}

/// `[auth]`: see config/default.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// HS256 signing key.
    pub jwt_secret: Secret,
    /// Token lifetime.
    pub token_ttl_minutes: u32,
    /// Failures allowed per username per window.
    pub max_failures_per_username: u32,
    /// Failures allowed per address per window.
    pub max_failures_per_address: u32,
    /// Rate-limit window.
    pub failure_window_seconds: u32,
}

/// Log line format.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// `[log]`: see config/default.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// Format.
    pub format: LogFormat,
    /// EnvFilter directives.
    pub level: String,
}

/// Why the configuration was refused; always names the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not valid TOML.
    #[error("config file {origin} is not valid TOML: {message}")]
    Syntax {
        /// The file.
        origin: String,
        /// The parser's message.
        message: String,
    },
    /// A key has a bad value or is unknown.
    #[error("config key `{key}`: {message}")]
    Key {
        /// Dotted key, e.g. `server.bind`.
        key: String,
        /// What is wrong.
        message: String,
    },
}

impl ConfigError {
    fn key(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Key {
            key: key.into(),
            message: message.into(),
        }
    }
}

impl Config {
    /// Loads the layers: default, then `file` if given, then the `env` overrides.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut table = parse_toml(DEFAULT_TOML, "config/default.toml")?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_owned(),
                source,
            })?;
            let overlay = parse_toml(&text, &path.display().to_string())?;
            merge(&mut table, overlay);
        }
        for (name, value) in env {
            if let Some(key) = name.strip_prefix(ENV_PREFIX) {
                apply_env(&mut table, key, &value)?;
            }
        }
        let config: Config = serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|e| ConfigError::key(e.path().to_string(), e.inner().to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Loads from the process: `--config PATH` or `CAREHUB_CONFIG`, then the environment.
    pub fn from_process(file_flag: Option<PathBuf>) -> Result<Config, ConfigError> {
        let file = file_flag.or_else(|| std::env::var_os("CAREHUB_CONFIG").map(PathBuf::from));
        Self::load(file.as_deref(), std::env::vars())
    }

    /// The embedded default alone: what `cargo run` and the tests start from.
    pub fn embedded_default() -> Config {
        Self::load(None, std::iter::empty()).unwrap_or_else(|e| {
            // The default is compiled in and covered by tests; failing here is a build defect.
            panic!("embedded default configuration is invalid: {e}")
        })
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if !self.server.demo && self.auth.jwt_secret.expose() == DEFAULT_JWT_SECRET {
            return Err(ConfigError::key(
                "auth.jwt_secret",
                "the default signing key is public and only allowed in demo mode; \
                 set CAREHUB__AUTH__JWT_SECRET to a random value of 32 characters or more",
            ));
        }
        if self.auth.jwt_secret.expose().len() < 32 {
            return Err(ConfigError::key(
                "auth.jwt_secret",
                "must be at least 32 characters",
            ));
        }
        if !(1..=24 * 60).contains(&self.auth.token_ttl_minutes) {
            return Err(ConfigError::key(
                "auth.token_ttl_minutes",
                "must be from 1 to 1440",
            ));
        }
        if self.auth.failure_window_seconds == 0 {
            return Err(ConfigError::key(
                "auth.failure_window_seconds",
                "must be at least 1",
            ));
        }
        if !(1024..=16 * 1024 * 1024).contains(&self.server.max_body_bytes) {
            return Err(ConfigError::key(
                "server.max_body_bytes",
                "must be from 1024 to 16777216",
            ));
        }
        if !valid_phone(&self.server.hub_phone) {
            return Err(ConfigError::key(
                "server.hub_phone",
                "must be a telephone number as people dial it: 6 to 20 digits, with spaces, \
                 brackets, dashes or a leading + allowed",
            ));
        }
        if !self.server.demo && is_drama_number(&self.server.hub_phone) {
            return Err(ConfigError::key(
                "server.hub_phone",
                "the default number is fictional and only allowed in demo mode; \
                 set CAREHUB__SERVER__HUB_PHONE to the hub's real number",
            ));
        }
        if self.server.demo_history_days > 366 {
            return Err(ConfigError::key(
                "server.demo_history_days",
                "must be from 0 to 366",
            ));
        }
        let t = &self.triage;
        let targets = t.targets().seconds;
        for (i, seconds) in targets.iter().enumerate() {
            if !(1..=7 * 24 * 3600).contains(seconds) {
                return Err(ConfigError::key(
                    format!("triage.target_p{}_seconds", i + 1),
                    "must be from 1 second to 7 days",
                ));
            }
        }
        if targets.windows(2).any(|w| w[0] > w[1]) {
            return Err(ConfigError::key(
                "triage.target_p1_seconds",
                "targets must not get shorter as urgency falls (P1 <= P2 <= ... <= P5)",
            ));
        }
        if !(10..=60_000).contains(&t.tick_ms) {
            return Err(ConfigError::key(
                "triage.tick_ms",
                "must be from 10 to 60000",
            ));
        }
        if !(1..=2000).contains(&t.max_situation_chars) {
            return Err(ConfigError::key(
                "triage.max_situation_chars",
                "must be from 1 to 2000",
            ));
        }
        let m = &self.media;
        if !m.public_ip.is_empty() && m.public_ip().is_none() {
            return Err(ConfigError::key(
                "media.public_ip",
                "must be an IP address or empty",
            ));
        }
        if !(1..=10_000).contains(&m.max_calls) {
            return Err(ConfigError::key(
                "media.max_calls",
                "must be from 1 to 10000",
            ));
        }
        if !(2..=16).contains(&m.max_participants) {
            return Err(ConfigError::key(
                "media.max_participants",
                "must be from 2 to 16",
            ));
        }
        if !(1..=60).contains(&m.quality_interval_seconds) {
            return Err(ConfigError::key(
                "media.quality_interval_seconds",
                "must be from 1 to 60",
            ));
        }
        if !m.turn_urls.is_empty() && m.turn_secret.expose().len() < 16 {
            return Err(ConfigError::key(
                "media.turn_secret",
                "TURN URLs need a shared secret of 16 characters or more",
            ));
        }
        if let Some(bad) = m
            .turn_urls
            .iter()
            .find(|u| !(u.starts_with("turn:") || u.starts_with("turns:")))
        {
            return Err(ConfigError::key(
                "media.turn_urls",
                format!("`{bad}` is not a turn: or turns: URL"),
            ));
        }
        if !(60..=86_400).contains(&m.turn_ttl_seconds) {
            return Err(ConfigError::key(
                "media.turn_ttl_seconds",
                "must be from 60 to 86400",
            ));
        }
        if !(64 * 1024..=32 * 1024 * 1024).contains(&m.photo_max_bytes) {
            return Err(ConfigError::key(
                "media.photo_max_bytes",
                "must be from 65536 (64 KiB) to 33554432 (32 MiB)",
            ));
        }
        if !(1..=600).contains(&m.phone_offer_after_seconds) {
            return Err(ConfigError::key(
                "media.phone_offer_after_seconds",
                "must be from 1 to 600",
            ));
        }
        let url = self.database.url.expose();
        if !url.starts_with("sqlite://") {
            return Err(ConfigError::key(
                "database.url",
                "only sqlite:// URLs are supported by this build",
            ));
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return Err(ConfigError::key(
                "log.level",
                "is not a valid tracing filter",
            ));
        }
        Ok(())
    }
}

/// A number a care worker can read out and a `tel:` link can dial: digits with the usual
/// separators, so a typo such as a letter O for a zero is caught at start-up, not in a crisis.
fn valid_phone(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let plus_first = phone.trim_start().strip_prefix('+').unwrap_or(phone);
    (6..=20).contains(&digits)
        && phone.len() <= 32
        && plus_first
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '(' | ')' | '-'))
}

/// Ofcom's range for drama (01632 960000-960999), where the demo number lives: a care home
/// shown it in production would phone no one.
fn is_drama_number(phone: &str) -> bool {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    digits.starts_with("01632960") || digits.starts_with("441632960")
}

fn parse_toml(text: &str, origin: &str) -> Result<toml::Table, ConfigError> {
    text.parse::<toml::Table>()
        .map_err(|e| ConfigError::Syntax {
            origin: origin.to_owned(),
            message: e.message().to_owned(),
        })
}

fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(inner)), toml::Value::Table(over)) => merge(inner, over),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Sets `SECTION__KEY` in the table. Values are read as TOML literals (numbers, booleans)
/// unless the key already holds a string, so a numeric-looking password stays a string.
fn apply_env(table: &mut toml::Table, key: &str, raw: &str) -> Result<(), ConfigError> {
    let path: Vec<String> = key.split("__").map(str::to_ascii_lowercase).collect();
    let dotted = path.join(".");
    let (last, sections) = path
        .split_last()
        .ok_or_else(|| ConfigError::key(&dotted, "empty key"))?;
    let mut node = table;
    for section in sections {
        node = match node.get_mut(section) {
            Some(toml::Value::Table(inner)) => inner,
            _ => return Err(ConfigError::key(&dotted, "unknown configuration section")),
        };
    }
    let value = match node.get(last) {
        Some(toml::Value::String(_)) | None => toml::Value::String(raw.to_owned()),
        Some(_) => format!("v = {raw}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(raw.to_owned())),
    };
    node.insert(last.clone(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn embedded_default_is_valid_and_safe() {
        let config = Config::embedded_default();
        assert!(config.server.demo);
        assert!(config.server.bind.ip().is_loopback());
    }

    #[test]
    fn env_overrides_win_and_keep_types() {
        let config = Config::load(
            None,
            env(&[
                ("CAREHUB__SERVER__BIND", "127.0.0.1:9999"),
                ("CAREHUB__AUTH__TOKEN_TTL_MINUTES", "15"),
                ("CAREHUB__LOG__FORMAT", "json"),
                ("UNRELATED", "x"),
            ]),
        )
        .expect("valid");
        assert_eq!(config.server.bind.port(), 9999);
        assert_eq!(config.auth.token_ttl_minutes, 15);
        assert_eq!(config.log.format, LogFormat::Json);
    }

    #[test]
    fn bad_value_names_the_key() {
        let err = Config::load(None, env(&[("CAREHUB__SERVER__BIND", "not-an-address")]))
            .expect_err("invalid");
        assert!(err.to_string().contains("server.bind"), "{err}");
        let err = Config::load(None, env(&[("CAREHUB__AUTH__TOKEN_TTL_MINUTES", "soon")]))
            .expect_err("invalid");
        assert!(err.to_string().contains("auth.token_ttl_minutes"), "{err}");
    }

    #[test]
    fn unknown_key_is_refused_by_name() {
        let err = Config::load(None, env(&[("CAREHUB__SERVER__PROT", "1")])).expect_err("unknown");
        assert!(err.to_string().contains("prot"), "{err}");
        let err = Config::load(None, env(&[("CAREHUB__NOPE__X", "1")])).expect_err("unknown");
        assert!(err.to_string().contains("nope.x"), "{err}");
    }

    #[test]
    fn default_key_refused_outside_demo_mode() {
        let err =
            Config::load(None, env(&[("CAREHUB__SERVER__DEMO", "false")])).expect_err("refused");
        assert!(err.to_string().contains("auth.jwt_secret"), "{err}");
        let ok = Config::load(
            None,
            env(&[
                ("CAREHUB__SERVER__DEMO", "false"),
                (
                    "CAREHUB__AUTH__JWT_SECRET",
                    "0123456789abcdef0123456789abcdef",
                ),
                ("CAREHUB__SERVER__HUB_PHONE", "01234 567890"),
            ]),
        );
        assert!(ok.is_ok(), "{:?}", ok.err());
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let config = Config::load(
            None,
            env(&[(
                "CAREHUB__AUTH__JWT_SECRET",
                "s3cret-s3cret-s3cret-s3cret-s3cret",
            )]),
        )
        .expect("valid");
        let dump = format!("{config:?}");
        assert!(!dump.contains("s3cret"), "{dump}");
        let url = DatabaseUrl("postgres://carehub:hunter2@db/carehub".into());
        assert!(!format!("{url:?}").contains("hunter2"));
        assert_eq!(url.redacted(), "postgres://carehub:***@db/carehub");
    }

    #[test]
    fn hub_phone_must_be_a_dialable_number() {
        assert_eq!(Config::embedded_default().server.hub_phone, "01632 960 000");
        for good in ["+44 1632 960000", "(01632) 960-001", "999999"] {
            let config = Config::load(None, env(&[("CAREHUB__SERVER__HUB_PHONE", good)]));
            assert!(config.is_ok(), "{good}");
        }
        for bad in [
            "",
            "01632 96O 000",
            "call the hub",
            "12345",
            "01632 960 000 ext 4",
        ] {
            let err =
                Config::load(None, env(&[("CAREHUB__SERVER__HUB_PHONE", bad)])).expect_err(bad);
            assert!(err.to_string().contains("server.hub_phone"), "{err}");
        }
        let err = Config::load(
            None,
            env(&[
                ("CAREHUB__SERVER__DEMO", "false"),
                (
                    "CAREHUB__AUTH__JWT_SECRET",
                    "0123456789abcdef0123456789abcdef",
                ),
            ]),
        )
        .expect_err("the drama number outside demo mode");
        assert!(err.to_string().contains("server.hub_phone"), "{err}");
    }

    #[test]
    fn file_layer_overrides_default() {
        let dir = std::env::temp_dir().join(format!("carehub-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("override.toml");
        std::fs::write(&path, "[server]\nmax_body_bytes = 4096\n").expect("write");
        let config = Config::load(Some(&path), Vec::new()).expect("valid");
        assert_eq!(config.server.max_body_bytes, 4096);
        std::fs::write(&path, "[server\n").expect("write");
        let err = Config::load(Some(&path), Vec::new()).expect_err("syntax");
        assert!(matches!(err, ConfigError::Syntax { .. }));
    }
}
