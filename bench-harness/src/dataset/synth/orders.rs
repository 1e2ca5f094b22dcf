//! CSV of orders: increasing ids and dates, categorical strings, prices and ratings.

use super::calendar::{iso_date, EPOCH_2023};
use super::cut;
use super::names::*;
use super::rng::{Stream, Zipf};
use std::io::Write;

pub fn generate(rng: &mut Stream, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 256);
    out.extend_from_slice(
        b"order_id,date,customer,city,region,product,colour,quantity,unit_price,total,status,rating\n",
    );
    let customers = Zipf::new(FIRST_NAMES.len() * LAST_NAMES.len(), 8);
    let products = Zipf::new(PRODUCTS.len(), 2);
    let prices: Vec<i64> = PRODUCTS.iter().map(|_| rng.range(199, 49_999)).collect();
    let mut id = rng.range(100_000, 900_000);
    let mut day = EPOCH_2023 / 86_400 + rng.range(0, 365);
    while out.len() < len {
        id += rng.range(1, 3);
        if rng.chance(20) {
            day += 1;
        }
        let c = customers.sample(rng);
        let p = products.sample(rng);
        let quantity = if rng.chance(700) { 1 } else { rng.range(2, 12) };
        let unit = prices[p] + if rng.chance(200) { -prices[p] / 10 } else { 0 };
        let city = CITIES[c % CITIES.len()];
        let rating = 10 + rng.below(41);
        writeln!(
            out,
            "{id},{},{} {},{city},{},{},{},{quantity},{},{},{},{}.{}",
            iso_date(day),
            FIRST_NAMES[c % FIRST_NAMES.len()],
            LAST_NAMES[c / FIRST_NAMES.len()],
            REGIONS[c % REGIONS.len()],
            PRODUCTS[p],
            rng.pick(COLOURS),
            cut::cents(unit),
            cut::cents(unit * quantity),
            rng.pick(STATUSES),
            rating / 10,
            rating % 10,
        )
        .expect("writing to a Vec");
    }
    cut::to_len(out, len)
}
