//! Recursive least squares by periodic re-solving: keeps an exponentially decayed
//! covariance of the inputs and their cross-correlation with the target, and every
//! `interval` samples solves the regularised normal equations by an LDL^T factorisation.
//!
//! Floating point here uses only `+ - * /` on `f64` (exactly rounded IEEE operations, no
//! fused multiply-add, no library functions), so every platform computes identical bits.

pub struct Ols {
    n: usize,
    lambda: f64,
    /// Added to the diagonal, relative to the mean diagonal, before solving.
    regularise: f64,
    interval: u32,
    since_solve: u32,
    /// `cov` and `corr` are stored multiplied by `scale` (= lambda^-samples since the
    /// last solve), so a sample costs one multiply-add per entry instead of a decay too.
    scale: f64,
    /// Row-major `n * n` covariance; only the lower triangle (`j <= i`) is maintained.
    cov: Vec<f64>,
    corr: Vec<f64>,
    weights: Vec<f64>,
    /// Scratch for the factorisation: unit lower triangle and diagonal.
    lower: Vec<f64>,
    diag: Vec<f64>,
    tmp: Vec<f64>,
}

impl Ols {
    pub fn new(n: usize, lambda: f64, regularise: f64, interval: u32) -> Self {
        Ols {
            n,
            lambda,
            regularise,
            interval,
            since_solve: 0,
            scale: 1.0,
            cov: vec![0.0; n * n],
            corr: vec![0.0; n],
            weights: vec![0.0; n],
            lower: vec![0.0; n * n],
            diag: vec![0.0; n],
            tmp: vec![0.0; n],
        }
    }

    #[inline]
    pub fn predict(&self, x: &[f64]) -> f64 {
        let mut sum = 0.0;
        for (w, v) in self.weights.iter().zip(x) {
            sum += w * v;
        }
        sum
    }

    pub fn update(&mut self, x: &[f64], target: f64) {
        let n = self.n;
        self.scale /= self.lambda;
        for (i, &xi) in x.iter().enumerate().take(n) {
            let sxi = self.scale * xi;
            let row = &mut self.cov[i * n..i * n + i + 1];
            for (c, &xj) in row.iter_mut().zip(x) {
                *c += sxi * xj;
            }
            self.corr[i] += sxi * target;
        }
        self.since_solve += 1;
        if self.since_solve >= self.interval {
            self.since_solve = 0;
            let unscale = 1.0 / self.scale;
            self.scale = 1.0;
            for i in 0..n {
                for c in &mut self.cov[i * n..i * n + i + 1] {
                    *c *= unscale;
                }
                self.corr[i] *= unscale;
            }
            self.solve();
        }
    }

    /// Replaces the weights by the solution of `(cov + reg I) w = corr` if it is well posed.
    fn solve(&mut self) {
        let n = self.n;
        let mut trace = 0.0;
        for i in 0..n {
            trace += self.cov[i * n + i];
        }
        let reg = self.regularise * (trace / n as f64) + 1.0;
        for j in 0..n {
            // tmp[k] = L[j][k] * D[k] for k < j.
            for k in 0..j {
                self.tmp[k] = self.lower[j * n + k] * self.diag[k];
            }
            let d = self.cov[j * n + j] + reg - dot(&self.lower[j * n..j * n + j], &self.tmp[..j]);
            if d.is_nan() || d <= reg * 1e-3 {
                return;
            }
            self.diag[j] = d;
            let inv = 1.0 / d;
            for i in j + 1..n {
                let a = self.cov[i * n + j] - dot(&self.lower[i * n..i * n + j], &self.tmp[..j]);
                self.lower[i * n + j] = a * inv;
            }
        }
        for i in 0..n {
            let mut z = self.corr[i];
            for k in 0..i {
                z -= self.lower[i * n + k] * self.tmp[k];
            }
            self.tmp[i] = z;
        }
        for i in 0..n {
            self.tmp[i] /= self.diag[i];
        }
        for i in (0..n).rev() {
            let mut w = self.tmp[i];
            for k in i + 1..n {
                w -= self.lower[k * n + i] * self.tmp[k];
            }
            self.tmp[i] = w;
        }
        if self.tmp.iter().all(|w| w.is_finite() && w.abs() < 1e6) {
            self.weights.copy_from_slice(&self.tmp);
        }
    }
}

/// Dot product with four interleaved partial sums (a fixed order, so still exact-repeatable).
#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (a4.remainder(), b4.remainder());
    for (x, y) in a4.zip(b4) {
        for l in 0..4 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut tail = 0.0;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}
