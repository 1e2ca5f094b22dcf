//! Which channel each channel is predicted with (its partner).
//!
//! Stereo pairs the two channels with each other. With more channels (payload version 3),
//! every channel from the second on is paired with the earlier channel whose first
//! differences correlate best with its own, so its predictor sees that channel's sample of
//! the same frame (a copied channel costs almost nothing, a scaled one about a bit); the first
//! channel is paired with the second, whose past samples only it sees.

/// Most channels the audio model takes (7.1 sound).
pub const MAX_CHANNELS: usize = 8;

/// Partners for interleaved `samples` of `channels` channels. Mono gets partner 1, a channel
/// that never codes (only its initial statistics are ever read).
pub fn choose(samples: &[i32], channels: usize) -> Vec<usize> {
    match channels {
        1 => vec![1],
        2 => vec![1, 0],
        _ => {
            let cross = difference_products(samples, channels);
            let mut partners = vec![1];
            for c in 1..channels {
                let own = cross[c * channels + c];
                let best = (0..c)
                    .max_by(|&p, &q| {
                        let score = |p: usize| {
                            let cp = cross[c * channels + p];
                            let pp = cross[p * channels + p];
                            if own == 0.0 || pp == 0.0 {
                                0.0
                            } else {
                                cp * cp / (own * pp)
                            }
                        };
                        // Ties go to the earlier channel: `max_by` keeps the last maximum.
                        score(p).total_cmp(&score(q)).then(q.cmp(&p))
                    })
                    .unwrap_or(0);
                partners.push(best);
            }
            partners
        }
    }
}

/// Sums of products of first differences between every two channels (row-major, full
/// matrix). Only `+` and `*` on `f64` in a fixed order, so the
/// choice is the same on every platform.
fn difference_products(samples: &[i32], channels: usize) -> Vec<f64> {
    let mut cross = vec![0.0; channels * channels];
    let mut diff = vec![0.0; channels];
    let mut frames = samples.chunks_exact(channels);
    let Some(mut prev) = frames.next() else {
        return cross;
    };
    for frame in frames {
        for (d, (&x, &p)) in diff.iter_mut().zip(frame.iter().zip(prev)) {
            *d = (x - p) as f64;
        }
        for i in 0..channels {
            for j in 0..=i {
                cross[i * channels + j] += diff[i] * diff[j];
            }
        }
        prev = frame;
    }
    for i in 0..channels {
        for j in i + 1..channels {
            cross[i * channels + j] = cross[j * channels + i];
        }
    }
    cross
}

/// Checks partners read from a payload: each names another channel of the file.
pub fn valid(partners: &[usize]) -> bool {
    partners
        .iter()
        .enumerate()
        .all(|(c, &p)| p < partners.len() && p != c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_and_scaled_channels_find_their_source() {
        let mut x = 7i32;
        let samples: Vec<i32> = (0..4000)
            .flat_map(|i| {
                x = (x * 1103 + 12345 + i) % 20000 - 10000;
                let l = x;
                let r = (i * 37 % 3000) - 1500;
                [l, r, r, l, l >> 1, r >> 1]
            })
            .collect();
        assert_eq!(choose(&samples, 6), vec![1, 0, 1, 0, 0, 1]);
    }

    #[test]
    fn partners_read_back_are_checked() {
        assert!(valid(&[1, 0, 1]));
        assert!(!valid(&[0, 0]));
        assert!(!valid(&[1, 3, 0]));
    }
}
