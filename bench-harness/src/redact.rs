//! Secrets never written in clear: every reason a run stores or prints passes through
//! [`text`], which replaces each registered secret (the holdout seed) with `[redacted]`. The
//! codec's scrubbed environment is the first defence; this is the second.

use std::sync::Mutex;

static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Shorter texts would redact ordinary words.
const SHORTEST: usize = 4;

pub fn register(secret: &str) {
    let secret = secret.trim();
    if secret.len() >= SHORTEST {
        let mut secrets = SECRETS.lock().expect("secrets lock");
        if !secrets.iter().any(|s| s == secret) {
            secrets.push(secret.to_string());
        }
    }
}

pub fn text(text: &str) -> String {
    let secrets = SECRETS.lock().expect("secrets lock");
    let mut out = text.to_string();
    for secret in secrets.iter() {
        out = out.replace(secret.as_str(), "[redacted]");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn registered_secrets_are_replaced() {
        super::register("open-sesame-42");
        assert_eq!(
            super::text("seed open-sesame-42 leaked"),
            "seed [redacted] leaked"
        );
        super::register("ab");
        assert_eq!(super::text("ab"), "ab");
    }
}
