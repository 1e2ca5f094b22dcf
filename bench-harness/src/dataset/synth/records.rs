//! Binary table of sensor readings: a 16-byte header, then 24-byte little-endian records
//! cycling over 16 sensors whose fields drift slowly (integer counters, i32 milli-degrees,
//! f32 pressure and humidity, u16 ids and flags).

use super::rng::Stream;

const SENSORS: usize = 16;
const RECORD: usize = 24;

struct Sensor {
    millidegrees: i32,
    /// Hundredths of a hectopascal.
    pressure: i32,
    /// Tenths of a percent.
    humidity: i32,
    flags: u16,
}

pub fn generate(rng: &mut Stream, len: usize) -> Vec<u8> {
    let count = len.saturating_sub(16) / RECORD;
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(b"SNSRTBL\x01");
    out.extend_from_slice(&(count as u64).to_le_bytes());
    let mut sensors: Vec<Sensor> = (0..SENSORS)
        .map(|_| Sensor {
            millidegrees: rng.range(-5_000, 30_000) as i32,
            pressure: rng.range(98_000, 103_000) as i32,
            humidity: rng.range(200, 900) as i32,
            flags: if rng.chance(200) { 4 } else { 1 },
        })
        .collect();
    let mut time = rng.u32() >> 2;
    for i in 0..count {
        let id = i % SENSORS;
        let s = &mut sensors[id];
        if id == 0 {
            time += 1000 + rng.below(5);
        }
        s.millidegrees += rng.bell() / 8;
        s.pressure = (s.pressure + rng.bell() / 64).clamp(95_000, 105_000);
        s.humidity = (s.humidity + rng.bell() / 128).clamp(0, 1000);
        if rng.chance(2) {
            s.flags ^= 2;
        }
        out.extend_from_slice(&(i as u32).to_le_bytes());
        out.extend_from_slice(&time.to_le_bytes());
        out.extend_from_slice(&s.millidegrees.to_le_bytes());
        // Integer-to-float conversion and division are exactly rounded IEEE operations.
        out.extend_from_slice(&(s.pressure as f32 / 100.0).to_le_bytes());
        out.extend_from_slice(&(s.humidity as f32 / 10.0).to_le_bytes());
        out.extend_from_slice(&(id as u16).to_le_bytes());
        out.extend_from_slice(&s.flags.to_le_bytes());
    }
    out.resize(len, 0);
    out.truncate(len);
    out
}
