//! A shard of a run: every Nth file of each codec, by size. N machines (or N jobs of a SLURM
//! array) each measure one shard; `harness merge` joins them into the run they make together
//! (see `merge`). Pair (file, codec) belongs to shard `(rank + codec) mod N + 1`, where `rank`
//! is the file's place among the selection by size, largest first (ties by name): each shard
//! gets about 1/N of every codec's bytes, so shards take about as long as each other, and every
//! machine cuts the same selection alike.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Most shards a run may be cut into.
pub const MAX_SHARDS: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// `K/N` with 1 <= K <= N <= [`MAX_SHARDS`].
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {text}: expected K/N with 1 <= K <= N <= {MAX_SHARDS}");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count || count > MAX_SHARDS {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether the pair of the file of size rank `rank` and the run's `codec`th codec belongs
    /// to this shard.
    pub fn takes(&self, rank: usize, codec: usize) -> bool {
        (rank + codec) % self.count == self.index - 1
    }
}

/// Each file's rank by size, largest first, ties by name: `ranks(..)[f]` for file `f`.
pub fn size_ranks(files: &[(&str, u64)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| files[b].1.cmp(&files[a].1).then(files[a].0.cmp(files[b].0)));
    let mut ranks = vec![0; files.len()];
    for (rank, f) in order.into_iter().enumerate() {
        ranks[f] = rank;
    }
    ranks
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What a shard's `summary.json` says of it, for the merge to check the shards fit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// `K/N`.
    pub shard: String,
    /// The run's codecs, in order: the shards must all measure the same.
    pub codecs: Vec<String>,
    /// Pairs of the whole run, and of this shard.
    pub run_pairs: usize,
    pub shard_pairs: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_pairs_between_them() {
        let shards: Vec<Shard> = (1..=3)
            .map(|k| Shard::parse(&format!("{k}/3")).unwrap())
            .collect();
        for rank in 0..20 {
            for codec in 0..4 {
                assert_eq!(shards.iter().filter(|s| s.takes(rank, codec)).count(), 1);
            }
        }
        assert_eq!(size_ranks(&[("a", 5), ("b", 9), ("c", 5)]), vec![1, 0, 2]);
        assert_eq!(shards[1].to_string(), "2/3");
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "1/10001"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
