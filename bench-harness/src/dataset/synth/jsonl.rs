//! JSON lines of nested analytics events: user objects with tag arrays, event properties and
//! item lists.

use super::calendar::{iso_timestamp, EPOCH_2023};
use super::cut;
use super::names::*;
use super::rng::{Stream, Zipf};
use std::io::Write;

pub fn generate(rng: &mut Stream, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 1024);
    let users = Zipf::new(5000, 10);
    let mut millis = (EPOCH_2023 + rng.range(0, 365 * 86_400)) * 1000;
    let mut id = rng.range(1, 1_000_000);
    let tags = ["beta", "premium", "mobile", "newsletter", "trial", "staff"];
    while out.len() < len {
        id += 1;
        millis += rng.range(1, 4000);
        let user = users.sample(rng);
        let event = rng.pick(EVENTS);
        write!(
            out,
            "{{\"id\":{id},\"ts\":\"{}\",\"event\":\"{event}\",\"user\":{{\"id\":{},\"name\":\"{} {}\",\"city\":\"{}\",\"tags\":[",
            iso_timestamp(millis),
            10_000 + user,
            FIRST_NAMES[user % FIRST_NAMES.len()],
            LAST_NAMES[user / 7 % LAST_NAMES.len()],
            CITIES[user % CITIES.len()],
        )
        .expect("writing to a Vec");
        for (i, tag) in tags.iter().enumerate() {
            if (user >> i).is_multiple_of(3) {
                write!(
                    out,
                    "{}\"{tag}\"",
                    if out.last() == Some(&b'[') { "" } else { "," }
                )
                .expect("writing to a Vec");
            }
        }
        let path = rng
            .pick(PATHS)
            .replace("{id}", &rng.range(1, 9999).to_string());
        let path = path.replace("{word}", rng.pick(PRODUCTS));
        write!(
            out,
            "]}},\"props\":{{\"path\":\"{path}\",\"duration_ms\":{},\"mobile\":{}}}",
            rng.range(5, 2500),
            user.is_multiple_of(3)
        )
        .expect("writing to a Vec");
        if event == "add_to_cart" || event == "checkout" {
            out.extend_from_slice(b",\"items\":[");
            for i in 0..rng.range(1, 4) {
                let p = rng.index(PRODUCTS.len());
                write!(
                    out,
                    "{}{{\"sku\":\"{}-{:04}\",\"qty\":{},\"price\":{}}}",
                    if i == 0 { "" } else { "," },
                    &PRODUCTS[p][..3].to_uppercase(),
                    p * 37 % 1000,
                    rng.range(1, 5),
                    cut::cents(199 + (p as i64 * 7919) % 20_000),
                )
                .expect("writing to a Vec");
            }
            out.push(b']');
        }
        out.extend_from_slice(b"}\n");
    }
    cut::to_len(out, len)
}
