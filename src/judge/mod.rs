//! Judges: the model calls behind judge criteria. The engine renders a [`JudgeRequest`] for each
//! judge criterion a case reaches; a [`JudgeClient`] answers a batch of them (cache first, then an
//! OpenAI-compatible Chat Completions endpoint, a bounded number in flight), and the engine turns
//! each reply's text into a verdict on the criterion's scale. Nothing here knows about rubrics.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One chat message sent to a judge.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: String,
    pub content: String,
}

/// One judge call, as rendered for one criterion of one case. Two equal requests are one call.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct JudgeRequest {
    /// The judge profile the rubric names (`default` unless it names another).
    pub profile: String,
    /// System prompt (if any) first, then the rendered user prompt.
    pub messages: Vec<ChatMessage>,
    /// The JSON Schema the verdict object must satisfy, as compact JSON text: sent as
    /// `response_format: {"type": "json_schema", "json_schema": {"name": schema_name, "strict": true,
    /// "schema": ...}}` when the profile uses structured output.
    pub verdict_schema: String,
    pub schema_name: String,
}

/// Tokens a reply says it used (`usage` of a Chat Completions reply; zeros when absent).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

/// A judge's answer to one request: the reply text, before any verdict is read from it.
#[derive(Clone, Debug, PartialEq)]
pub struct JudgeReply {
    /// `choices[0].message.content` of the reply.
    pub content: String,
    pub usage: Usage,
    /// Whether the answer came from the verdict cache (no call was made).
    pub from_cache: bool,
    /// HTTP attempts made for it (0 when from the cache).
    pub attempts: u32,
}

/// Why a request got no reply; `kind` is what the run summary counts.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct JudgeError {
    pub kind: JudgeErrorKind,
    /// Lowercase, for the criterion's trace, e.g. `judge timed out after 3 attempts`.
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JudgeErrorKind {
    /// Every attempt timed out.
    Timeout,
    /// Still 429 after the last attempt.
    RateLimited,
    /// Still 5xx after the last attempt, or another non-retryable HTTP status.
    Http,
    /// The endpoint could not be reached.
    Connection,
    /// The reply was not a Chat Completions reply (no `choices[0].message.content`).
    BadReply,
    /// The call or token budget was spent before this request.
    Budget,
    /// `--offline` and the cache has no verdict for it.
    OfflineMiss,
    /// The profile is not configured or the configuration is unusable.
    Config,
}

impl JudgeErrorKind {
    /// The name the summary and metrics use.
    pub fn as_str(self) -> &'static str {
        match self {
            JudgeErrorKind::Timeout => "timeout",
            JudgeErrorKind::RateLimited => "rate_limited",
            JudgeErrorKind::Http => "http",
            JudgeErrorKind::Connection => "connection",
            JudgeErrorKind::BadReply => "bad_reply",
            JudgeErrorKind::Budget => "budget",
            JudgeErrorKind::OfflineMiss => "offline_miss",
            JudgeErrorKind::Config => "config",
        }
    }
}

/// One judge profile: where and how to call a model. Keys are never stored, only the name of the
/// environment variable that holds one.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// Base URL of an OpenAI-compatible API, e.g. `https://api.openai.com/v1`; requests go to
    /// `{base_url}/chat/completions`.
    pub base_url: String,
    pub model: String,
    /// Environment variable holding the bearer key (none: no `Authorization` header).
    pub api_key_env: Option<String>,
    /// Sampling parameters sent as they are (`temperature`, `top_p`, `seed`, `max_tokens`, ...).
    pub params: BTreeMap<String, serde_json::Value>,
    /// Send `response_format` with the verdict schema (default); off: the reply text is parsed.
    pub structured_output: bool,
    /// Per attempt, from the moment the request is sent.
    pub timeout: Duration,
    pub max_attempts: u32,
    /// Requests started per second at most (none: no limit beyond the in-flight bound).
    pub requests_per_second: Option<f64>,
}

/// Everything a run needs to call judges, given at grade time (plans hold none of it).
#[derive(Clone, Debug, PartialEq)]
pub struct JudgeSettings {
    pub profiles: BTreeMap<String, Profile>,
    /// Requests in flight at once, over all profiles.
    pub max_in_flight: usize,
    /// Directory of the content-addressed verdict cache (none: no cache).
    pub cache_dir: Option<PathBuf>,
    /// Answer from the cache alone; a miss is an [`JudgeErrorKind::OfflineMiss`] error.
    pub offline: bool,
    /// Stop issuing calls past this many calls ...
    pub max_calls: Option<u64>,
    /// ... or past this many tokens (prompt + completion) used.
    pub max_tokens: Option<u64>,
}
