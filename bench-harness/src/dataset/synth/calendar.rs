//! Civil dates from day numbers (proleptic Gregorian, days since 1970-01-01), integers only.

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// (year, month 1..=12, day 1..=31) of a day number (Howard Hinnant's algorithm).
pub fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DD` of a day number.
pub fn iso_date(days: i64) -> String {
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` of milliseconds since the epoch.
pub fn iso_timestamp(millis: i64) -> String {
    let secs = millis.div_euclid(1000);
    let (h, mi, s) = hms(secs);
    format!(
        "{}T{h:02}:{mi:02}:{s:02}.{:03}Z",
        iso_date(secs.div_euclid(86_400)),
        millis.rem_euclid(1000)
    )
}

/// `10/Oct/2023:13:55:36 +0000` (common log format) of seconds since the epoch.
pub fn clf_timestamp(secs: i64) -> String {
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let (h, mi, s) = hms(secs);
    format!(
        "{d:02}/{}/{y}:{h:02}:{mi:02}:{s:02} +0000",
        MONTHS[m as usize - 1]
    )
}

fn hms(secs: i64) -> (i64, i64, i64) {
    let t = secs.rem_euclid(86_400);
    (t / 3600, t / 60 % 60, t % 60)
}

/// Seconds since the epoch of 2023-01-01T00:00:00Z.
pub const EPOCH_2023: i64 = 1_672_531_200;
