//! The built-in English-like vocabulary, by word class, most frequent first: a few hundred
//! common words followed by a few thousand invented ones built from syllables. The vocabulary
//! does not depend on the seed.

use super::rng::Stream;
use std::sync::OnceLock;

const NOUNS: &str = "time man day way thing house world life hand night eye woman place work \
    room door year head face water side child mother father friend voice light word land road \
    morning heart name town letter window city river table moment country evening sea garden \
    horse fire street church ship wall king boy girl money book story car tree hour air field \
    question family master brother sister doctor village mountain sun moon island forest bed \
    army truth power war paper answer wind journey dinner glass hill army end stone bridge \
    silence corner train shadow arm chair floor dream wife husband lady officer captain \
    kitchen hall office school reason death love mind course matter order party minute \
    picture person people week month winter summer spring autumn rain snow cloud bird dog \
    cat coat hat boat key box bottle flower grass stair roof gate farm market shop station";
const VERBS: &str = "said was had made came went took saw knew looked thought gave found told \
    asked seemed felt left turned began called kept brought stood heard walked ran sat held \
    followed wrote opened closed watched waited answered returned carried passed spoke \
    showed reached remembered moved stopped tried lived pulled pushed laughed smiled cried \
    listened wanted needed believed understood noticed decided entered crossed climbed \
    dropped lifted touched painted built burned broke caught changed cleaned counted \
    covered drew drank drove ate fell filled fought flew forgot grew hid hung hurried \
    jumped kissed learned lost loved met missed paid played prepared promised read rode \
    sang sent shut slept smelled sold started stayed struck swam taught threw visited washed";
const ADJECTIVES: &str = "little old good great long young small large own other last first \
    white dark black new high whole strange poor certain right best better true red green \
    blue cold warm quiet full empty heavy light deep low short tall wide narrow bright soft \
    hard sweet bitter late early sudden gentle wild tired happy sad angry proud quick slow \
    silent distant ancient broken golden grey brown yellow pale thin thick rough smooth \
    fresh dry wet clean dirty rich simple strong weak";
const ADVERBS: &str = "then now again never always still only just once slowly quickly \
    perhaps almost suddenly quietly soon already often together softly carefully away back \
    home there here indeed presently";
const PREPOSITIONS: &str = "of in to with at from on by for into upon over through about \
    under after before behind toward across along beside near beyond without against";
const PRONOUNS: &str = "he she they it we I you nobody someone everyone";
const NAMES: &str = "Mary John Elizabeth Thomas Anne William Margaret James Harriet Robert \
    Catherine Edward Jane Henry Alice George Emma Charles Lucy Arthur Helen Walter Clara \
    Samuel Martha Frederick Rose Albert Ellen Richard";
const CONJUNCTIONS: &str = "and but and so and yet for while because although when until";
pub const DETERMINERS: &[&str] = &[
    "the", "the", "the", "a", "his", "her", "their", "this", "that", "every", "some", "my", "our",
    "one", "no", "each",
];

const ONSETS: &[&str] = &[
    "b", "br", "c", "ch", "cl", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m", "n", "p",
    "pl", "pr", "r", "s", "sh", "sl", "st", "t", "th", "tr", "v", "w", "wh", "",
];
const VOWELS: &[&str] = &[
    "a", "e", "i", "o", "u", "ea", "ai", "ou", "oo", "ie", "a", "e", "o", "i",
];
const CODAS: &[&str] = &[
    "", "", "", "n", "r", "l", "s", "t", "nd", "st", "rt", "m", "ck", "ng", "rn", "ll", "d",
];

pub struct Vocabulary {
    pub nouns: Vec<String>,
    pub verbs: Vec<String>,
    pub adjectives: Vec<String>,
    pub adverbs: Vec<String>,
    pub prepositions: Vec<String>,
    pub pronouns: Vec<String>,
    pub names: Vec<String>,
    pub conjunctions: Vec<String>,
}

fn invent(rng: &mut Stream, syllables: i64, suffixes: &[&str]) -> String {
    let mut w = String::new();
    for _ in 0..syllables {
        w.push_str(rng.pick(ONSETS));
        w.push_str(rng.pick(VOWELS));
        w.push_str(rng.pick(CODAS));
    }
    w.push_str(rng.pick(suffixes));
    w
}

fn list(builtin: &str, rng: &mut Stream, extra: usize, suffixes: &[&str]) -> Vec<String> {
    let mut words: Vec<String> = builtin.split_whitespace().map(String::from).collect();
    for _ in 0..extra {
        // Mostly one or two syllables, sometimes three.
        let syllables = 1 + i64::from(rng.chance(550)) + i64::from(rng.chance(80));
        words.push(invent(rng, syllables, suffixes));
    }
    words
}

pub fn vocabulary() -> &'static Vocabulary {
    static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
    VOCABULARY.get_or_init(|| {
        let rng = &mut Stream::new(0, "vocabulary", "words");
        let names = list(NAMES, rng, 120, &["", "a", "el", "in", "son"])
            .into_iter()
            .map(|n| n[..1].to_uppercase() + &n[1..])
            .collect();
        Vocabulary {
            nouns: list(
                NOUNS,
                rng,
                2200,
                &["", "", "er", "ness", "tion", "ment", "age", "ity"],
            ),
            verbs: list(VERBS, rng, 700, &["ed", "ed", "ened", "ied"]),
            adjectives: list(
                ADJECTIVES,
                rng,
                700,
                &["", "ous", "ful", "ic", "ish", "y", "al"],
            ),
            adverbs: list(ADVERBS, rng, 60, &["ly"]),
            prepositions: list(PREPOSITIONS, rng, 0, &[]),
            pronouns: list(PRONOUNS, rng, 0, &[]),
            names,
            conjunctions: list(CONJUNCTIONS, rng, 0, &[]),
        }
    })
}
