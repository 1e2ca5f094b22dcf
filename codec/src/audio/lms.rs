//! A long sign-LMS filter in 16-bit fixed point (the Monkey's Audio "NN filter" idea):
//! it predicts its input from the last `order` inputs and adapts each weight by the sign of
//! the error times a step that shrinks for inputs that are small or old.

/// History is kept twice-over in one buffer so the last `order` values are contiguous.
const WINDOW: usize = 4096;

pub struct SignLms {
    order: usize,
    /// Prediction is `dot(history, weights) >> shift`.
    shift: u32,
    weights: Vec<i16>,
    input: Vec<i16>,
    step: Vec<i16>,
    /// Index one past the newest entry of `input` / `step`.
    pos: usize,
    mean_abs: i32,
}

impl SignLms {
    pub fn new(order: usize, shift: u32) -> Self {
        SignLms {
            order,
            shift,
            weights: vec![0; order],
            input: vec![0; WINDOW + order],
            step: vec![0; WINDOW + order],
            pos: order,
            mean_abs: 0,
        }
    }

    /// Prediction of the next input.
    #[inline]
    pub fn predict(&self) -> i32 {
        let h = &self.input[self.pos - self.order..self.pos];
        let dot = dot_i16(h, &self.weights);
        (dot + (1 << (self.shift - 1))) >> self.shift
    }

    /// Learns from `input` (the value just predicted) and the error `input - prediction`.
    #[inline]
    pub fn update(&mut self, input: i32, err: i32) {
        let steps = &self.step[self.pos - self.order..self.pos];
        if err > 0 {
            for (w, &s) in self.weights.iter_mut().zip(steps) {
                *w = w.wrapping_add(s);
            }
        } else if err < 0 {
            for (w, &s) in self.weights.iter_mut().zip(steps) {
                *w = w.wrapping_sub(s);
            }
        }
        let a = input.saturating_abs();
        let m = self.mean_abs;
        let mag: i16 = if a > m.saturating_mul(3) {
            32
        } else if a > m.saturating_mul(4) / 3 {
            16
        } else if a > 0 {
            8
        } else {
            0
        };
        let s = if input < 0 { -mag } else { mag };
        self.mean_abs = m + (a.min(1 << 24) - m) / 16;
        if self.pos == self.input.len() {
            let keep = self.order;
            self.input.copy_within(self.pos - keep..self.pos, 0);
            self.step.copy_within(self.pos - keep..self.pos, 0);
            self.pos = keep;
        }
        let p = self.pos;
        self.input[p] = input.clamp(i16::MIN as i32, i16::MAX as i32) as i16;
        self.step[p] = s;
        for age in [1usize, 2, 8] {
            if age <= self.order {
                self.step[p - age] >>= 1;
            }
        }
        self.pos += 1;
    }
}

#[inline]
fn dot_i16(a: &[i16], b: &[i16]) -> i32 {
    let mut sum = 0i32;
    for (&x, &y) in a.iter().zip(b) {
        sum = sum.wrapping_add(x as i32 * y as i32);
    }
    sum
}
