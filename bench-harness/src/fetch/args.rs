//! Options shared by `harness fetch` and `harness run` for datasets with a manifest.

use crate::dataset::manifest::ArchiveKind;
use clap::Args;
use std::time::Duration;

/// Environment variable naming a mirror laid out as `<BASE_URL>/<dataset>/<file>`.
pub const MIRROR_VAR: &str = "HARNESS_MIRROR";

#[derive(Args, Debug, Clone)]
pub struct NetArgs {
    /// Fetch every file from BASE_URL/<dataset>/<file> instead of its origin
    #[arg(long, value_name = "BASE_URL", env = MIRROR_VAR)]
    pub mirror: Option<String>,
    /// Seconds to wait for a connection to a download server
    #[arg(
        long,
        default_value_t = 30.0,
        value_name = "SECONDS",
        env = "HARNESS_CONNECT_TIMEOUT"
    )]
    pub connect_timeout: f64,
    /// Seconds a download may wait for the response or for more data
    #[arg(
        long,
        default_value_t = 60.0,
        value_name = "SECONDS",
        env = "HARNESS_READ_TIMEOUT"
    )]
    pub read_timeout: f64,
    /// Further attempts per URL after a failed transfer (each resumes where the last stopped)
    #[arg(
        long,
        default_value_t = 3,
        value_name = "N",
        env = "HARNESS_FETCH_RETRIES"
    )]
    pub retries: u32,
    /// Seconds before the first retry; doubled for each further one
    #[arg(
        long,
        default_value_t = 2.0,
        value_name = "SECONDS",
        env = "HARNESS_RETRY_BACKOFF"
    )]
    pub retry_backoff: f64,
    /// Use a dataset with files that cannot be fetched as what is there: the missing files are
    /// named, and a run is recorded as NAME[partial K/N], never under the dataset's own name
    #[arg(long)]
    pub partial: bool,
}

/// What a fetch needs to know, validated.
#[derive(Debug, Clone)]
pub struct Options {
    pub mirror: Option<String>,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub retries: u32,
    pub retry_backoff: Duration,
    /// No progress output.
    pub quiet: bool,
    /// Files that cannot be fetched leave a smaller dataset instead of an error.
    pub partial: bool,
}

impl NetArgs {
    pub fn options(&self, quiet: bool) -> anyhow::Result<Options> {
        let secs = |name: &str, v: f64| {
            if (0.0..1e9).contains(&v) {
                Ok(Duration::from_secs_f64(v))
            } else {
                Err(anyhow::anyhow!(
                    "--{name} must be a non-negative number of seconds"
                ))
            }
        };
        Ok(Options {
            mirror: self
                .mirror
                .as_deref()
                .map(|m| m.trim_end_matches('/').to_string())
                .filter(|m| !m.is_empty()),
            connect_timeout: secs("connect-timeout", self.connect_timeout)?,
            read_timeout: secs("read-timeout", self.read_timeout)?,
            retries: self.retries,
            retry_backoff: secs("retry-backoff", self.retry_backoff)?,
            quiet,
            partial: self.partial,
        })
    }
}

impl Options {
    /// The URLs to try for `file` of `dataset`: the mirror only, or its origins in order.
    pub fn urls(&self, dataset: &str, file: &str, origins: &[&str]) -> Vec<String> {
        match &self.mirror {
            Some(base) => vec![format!("{base}/{dataset}/{file}")],
            None => origins.iter().map(|u| u.to_string()).collect(),
        }
    }

    /// The URLs to try for the member at `path` of `dataset` alone, each with the kind of
    /// archive it serves (`None`: the file itself): the mirror's copy laid out like the
    /// cache, or the manifest's `copies`.
    pub fn copy_urls(
        &self,
        dataset: &str,
        path: &str,
        copies: &[String],
    ) -> Vec<(String, Option<ArchiveKind>)> {
        match &self.mirror {
            Some(base) => vec![(format!("{base}/{dataset}/{path}"), None)],
            None => copies
                .iter()
                .map(|u| (u.clone(), ArchiveKind::from_url(u)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mirror_replaces_every_origin() {
        let args = NetArgs {
            mirror: Some("http://127.0.0.1:9/cache/".into()),
            connect_timeout: 1.0,
            read_timeout: 2.0,
            retries: 0,
            retry_backoff: 0.0,
            partial: false,
        };
        let o = args.options(true).unwrap();
        assert_eq!(
            o.urls(
                "canterbury",
                "large.tar.gz",
                &["https://a/x", "https://b/x"]
            ),
            ["http://127.0.0.1:9/cache/canterbury/large.tar.gz"]
        );
        let o = NetArgs {
            mirror: None,
            ..args
        }
        .options(true)
        .unwrap();
        assert_eq!(o.urls("d", "f", &["u1", "u2"]), ["u1", "u2"]);
        assert_eq!(o.read_timeout, Duration::from_secs(2));
        let copies = [
            "https://h/x/dickens.zip?raw=1".to_string(),
            "https://h/x/dickens".into(),
        ];
        assert_eq!(
            o.copy_urls("silesia", "dickens", &copies),
            [
                (copies[0].clone(), Some(ArchiveKind::Zip)),
                (copies[1].clone(), None)
            ]
        );
    }
}
