//! Prose-like English: sentences from a small grammar (noun phrases, verbs, prepositional
//! phrases, joined clauses, dialogue) over the Zipf-weighted vocabulary, with recurring
//! characters per chapter and topic nouns per paragraph; lines wrapped at 72 columns,
//! paragraphs separated by blank lines.

use super::rng::{Stream, Zipf};
use super::words::{vocabulary, Vocabulary, DETERMINERS};

const WIDTH: usize = 72;

struct Writer {
    out: Vec<u8>,
    column: usize,
    capitalize: bool,
    /// Open a quotation before the next word.
    quote: bool,
}

impl Writer {
    fn word(&mut self, w: &str) {
        if self.column > 0 && self.column + 1 + w.len() > WIDTH {
            self.out.push(b'\n');
            self.column = 0;
        } else if self.column > 0 {
            self.out.push(b' ');
            self.column += 1;
        }
        if std::mem::take(&mut self.quote) {
            self.out.push(b'"');
            self.column += 1;
        }
        let start = self.out.len();
        self.out.extend_from_slice(w.as_bytes());
        if std::mem::take(&mut self.capitalize) {
            self.out[start] = self.out[start].to_ascii_uppercase();
        }
        self.column += w.len();
    }

    /// Punctuation glued to the previous word.
    fn glue(&mut self, p: &str) {
        self.out.extend_from_slice(p.as_bytes());
        self.column += p.len();
    }

    fn paragraph_break(&mut self) {
        self.out.extend_from_slice(b"\n\n");
        self.column = 0;
    }
}

struct Samplers {
    nouns: Zipf,
    verbs: Zipf,
    adjectives: Zipf,
    adverbs: Zipf,
    prepositions: Zipf,
    names: Zipf,
}

struct Story<'a> {
    v: &'a Vocabulary,
    z: Samplers,
    rng: &'a mut Stream,
    w: Writer,
    characters: Vec<usize>,
    topics: Vec<usize>,
}

impl Story<'_> {
    fn noun(&mut self) -> usize {
        if self.rng.chance(300) {
            self.topics[self.rng.index(self.topics.len())]
        } else {
            self.z.nouns.sample(self.rng)
        }
    }

    fn name(&mut self) -> String {
        let i = if self.rng.chance(800) {
            self.characters[self.rng.index(self.characters.len())]
        } else {
            self.z.names.sample(self.rng)
        };
        self.v.names[i].clone()
    }

    fn noun_phrase(&mut self) {
        let det = DETERMINERS[self.rng.index(DETERMINERS.len())];
        let adjective = self
            .rng
            .chance(400)
            .then(|| self.z.adjectives.sample(self.rng));
        let noun = self.noun();
        let next = adjective.map_or(&self.v.nouns[noun], |a| &self.v.adjectives[a]);
        let det = if det == "a" && next.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            det
        };
        self.w.word(det);
        if let Some(a) = adjective {
            self.w.word(&self.v.adjectives[a]);
        }
        self.w.word(&self.v.nouns[noun]);
        if self.rng.chance(120) {
            self.w.word("of");
            let n = self.name();
            self.w.word(&n);
        }
    }

    fn subject(&mut self) {
        match self.rng.below(100) {
            0..=29 => {
                let p = &self.v.pronouns[self.rng.index(self.v.pronouns.len())];
                self.w.word(p);
            }
            30..=54 => {
                let n = self.name();
                self.w.word(&n);
            }
            _ => self.noun_phrase(),
        }
    }

    fn prepositional(&mut self) {
        let p = self.z.prepositions.sample(self.rng);
        self.w.word(&self.v.prepositions[p]);
        self.noun_phrase();
    }

    fn clause(&mut self) {
        self.subject();
        if self.rng.chance(80) {
            self.w
                .word(&self.v.adverbs[self.z.adverbs.sample(self.rng)]);
        }
        self.w.word(&self.v.verbs[self.z.verbs.sample(self.rng)]);
        if self.rng.chance(600) {
            self.noun_phrase();
        }
        if self.rng.chance(500) {
            self.prepositional();
        }
        if self.rng.chance(120) {
            self.w
                .word(&self.v.adverbs[self.z.adverbs.sample(self.rng)]);
        }
    }

    fn sentence(&mut self) {
        self.w.capitalize = true;
        let dialogue = self.rng.chance(90);
        if dialogue {
            self.w.quote = true;
            self.clause();
            self.w.glue(",\"");
            self.w.word("said");
            let n = self.name();
            self.w.word(&n);
            self.w.glue(".");
            return;
        }
        if self.rng.chance(150) {
            self.prepositional();
            self.w.glue(",");
        }
        self.clause();
        while self.rng.chance(300) {
            self.w.glue(",");
            let c = &self.v.conjunctions[self.rng.index(self.v.conjunctions.len())];
            self.w.word(c);
            self.clause();
        }
        let end = match self.rng.below(100) {
            0..=3 => "?",
            4..=8 => "!",
            _ => ".",
        };
        self.w.glue(end);
    }

    fn chapter(&mut self, number: usize) {
        self.characters = (0..4).map(|_| self.z.names.sample(self.rng)).collect();
        self.w.word(&format!("CHAPTER {number}"));
        self.w.paragraph_break();
    }
}

pub fn generate(rng: &mut Stream, len: usize) -> Vec<u8> {
    let v = vocabulary();
    let z = Samplers {
        nouns: Zipf::new(v.nouns.len(), 3),
        verbs: Zipf::new(v.verbs.len(), 3),
        adjectives: Zipf::new(v.adjectives.len(), 3),
        adverbs: Zipf::new(v.adverbs.len(), 2),
        prepositions: Zipf::new(v.prepositions.len(), 1),
        names: Zipf::new(v.names.len(), 4),
    };
    let w = Writer {
        out: Vec::with_capacity(len + 1024),
        column: 0,
        capitalize: false,
        quote: false,
    };
    let mut s = Story {
        v,
        z,
        rng,
        w,
        characters: Vec::new(),
        topics: Vec::new(),
    };
    let mut chapter = 0;
    while s.w.out.len() < len {
        chapter += 1;
        s.chapter(chapter);
        for _ in 0..s.rng.range(20, 120) {
            s.topics = (0..3).map(|_| s.z.nouns.sample(s.rng)).collect();
            for _ in 0..s.rng.range(2, 8) {
                s.sentence();
            }
            s.w.paragraph_break();
            if s.w.out.len() >= len {
                break;
            }
        }
    }
    let mut out = s.w.out;
    out.truncate(len);
    if let Some(last) = out.last_mut() {
        *last = b'\n';
    }
    out
}
