//! Web server access log (combined log format): client IPs from a Zipf-weighted pool,
//! increasing timestamps, request paths, status codes, sizes, referrers and user agents.

use super::calendar::{clf_timestamp, EPOCH_2023};
use super::cut;
use super::names::*;
use super::rng::{Stream, Zipf};
use std::io::Write;

pub fn generate(rng: &mut Stream, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 512);
    let clients: Vec<(u32, usize)> = (0..2000)
        .map(|_| (rng.u32(), rng.index(USER_AGENTS.len())))
        .collect();
    let client_zipf = Zipf::new(clients.len(), 5);
    let paths = Zipf::new(PATHS.len(), 2);
    let mut secs = EPOCH_2023 + rng.range(0, 365 * 86_400);
    while out.len() < len {
        if rng.chance(400) {
            secs += rng.range(1, 3);
        }
        let (ip, agent) = clients[client_zipf.sample(rng)];
        let path = PATHS[paths.sample(rng)]
            .replace("{id}", &rng.range(1, 5000).to_string())
            .replace("{word}", rng.pick(PRODUCTS));
        let method = if path.starts_with("/api") && rng.chance(250) {
            "POST"
        } else {
            "GET"
        };
        let status = match rng.below(1000) {
            0..=849 => 200,
            850..=909 => 304,
            910..=949 => 404,
            950..=979 => 301,
            980..=994 => 403,
            _ => 500,
        };
        let bytes = if status == 304 {
            0
        } else {
            rng.range(120, 60_000)
        };
        let referrer = if rng.chance(400) {
            format!(
                "https://example.com{}",
                PATHS[paths.sample(rng)]
                    .replace("{id}", "1")
                    .replace("{word}", "news")
            )
        } else {
            "-".to_string()
        };
        writeln!(
            out,
            "{}.{}.{}.{} - - [{}] \"{method} {path} HTTP/1.1\" {status} {bytes} \"{referrer}\" \"{}\"",
            ip >> 24,
            ip >> 16 & 0xff,
            ip >> 8 & 0xff,
            ip & 0xff,
            clf_timestamp(secs),
            USER_AGENTS[agent],
        )
        .expect("writing to a Vec");
    }
    cut::to_len(out, len)
}
